import { expect, test as base, type Page } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

export interface Served {
  /** The address `ooc serve` printed, token included. */
  url: string;
  origin: string;
  /** The corpus's folders, to index from the UI. */
  visualnewsDir: string;
  clippingsDir: string;
  missingImageId: number;
  corruptImageId: number;
}

/** Starts `ooc serve` on a database and resolves with the address it prints. */
function serve(dbFile: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    // Node itself with tsx's loader, not the tsx wrapper: the process killed at the end is the server.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'electron', 'cli.ts'), 'serve', '--db', dbFile], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /Open: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (match) resolve({ child, url: match[1]! });
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`ooc serve exited with ${code}: ${err}`)));
  });
}

/** Each test gets its own data folder, corpus, database and server (an empty database with `emptyDatabase`). */
export const test = base.extend<{ emptyDatabase: boolean; largeCorpus: boolean; trainableCorpus: boolean; photoCorpus: boolean; served: Served; workbench: WorkbenchPage }>({
  emptyDatabase: [false, { option: true }],
  /** Adds Scene / ResNet Place train, 360 pairs: more than three pages. */
  largeCorpus: [false, { option: true }],
  /** Adds Semantics / CLIP Text-Text train and test: a split a head can be trained on. */
  trainableCorpus: [false, { option: true }],
  /** Photo-like images instead of plain colours: near-duplicate search can tell them apart. */
  photoCorpus: [false, { option: true }],
  served: async ({ emptyDatabase, largeCorpus, trainableCorpus, photoCorpus }, use) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ooc-e2e-'));
    const env = { ...process.env, OOC_HOME: path.join(dir, 'home') };
    const made = JSON.parse(execFileSync(TSX, [path.join(HERE, 'make-corpus.ts'), dir, ...(largeCorpus ? ['--large'] : []), ...(trainableCorpus ? ['--trainable'] : []), ...(photoCorpus ? ['--photos'] : [])], { cwd: ROOT, env, encoding: 'utf8' })) as {
      dbFile: string;
      origin: string;
      clippings: string;
      missingImageId: number;
      corruptImageId: number;
    };
    const { child, url } = await serve(emptyDatabase ? path.join(dir, 'empty.db') : made.dbFile, env);
    await use({ url, origin: new URL(url).origin, visualnewsDir: made.origin, clippingsDir: made.clippings, missingImageId: made.missingImageId, corruptImageId: made.corruptImageId });
    // Stopped for good before its folder goes: a server still writing a thumbnail would race the removal.
    const exited = child.exitCode === null && child.signalCode === null ? once(child, 'exit') : Promise.resolve();
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  },
  workbench: async ({ page, served, emptyDatabase }, use) => {
    await page.goto(served.url);
    const workbench = new WorkbenchPage(page);
    if (!emptyDatabase) await expect(workbench.total()).toHaveText(/^\d+ pairs$/);
    await use(workbench);
  },
});

export { expect } from '@playwright/test';

/** The pair browser, found the way a user (or a screen reader) finds it. */
export class WorkbenchPage {
  constructor(readonly page: Page) {}
  split = () => this.page.getByRole('combobox', { name: 'Split', exact: true });
  subset = () => this.page.getByRole('combobox', { name: 'Subset', exact: true });
  /** A facet of the sidebar ('Source', 'Verdict' …), and one of its values, by the name shown. */
  facet = (name: string) => this.page.getByRole('complementary', { name: 'Filters' }).getByRole('group', { name, exact: true });
  facetValue = (facet: string, value: string) => this.facet(facet).getByRole('button', { name: new RegExp(`^${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, \\d`) });
  /** Clicks a facet value: filters by it, or clears the filter when it was chosen. */
  chooseFacet = (facet: string, value: string) => this.facetValue(facet, value).click();
  search = () => this.page.getByRole('searchbox', { name: 'Search captions' });
  total = () => this.page.getByTestId('pair-total');
  rows = () => this.page.getByTestId('pair-row');
  selected = () => this.page.locator('[data-testid="pair-row"][aria-selected="true"]');
  detail = () => this.page.getByRole('complementary', { name: 'Pair detail' });
  /** Embeds every image and caption with the default model from the Models view, waits for the job, and goes back to Pairs. */
  async embedAll(): Promise<void> {
    await this.page.getByRole('button', { name: 'Models' }).click();
    await this.page.getByRole('button', { name: 'Embed', exact: true }).click();
    await this.page.getByRole('button', { name: /^Jobs/ }).click();
    await expect(this.page.getByRole('region', { name: 'Jobs' }).getByText('done', { exact: true })).toBeVisible({ timeout: 60_000 });
    await this.page.getByRole('button', { name: 'Pairs' }).click();
  }
}
