import { _electron as electron, expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from '../../electron/node/electron-binary.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const binary = electronBinary();
test.skip(binary === null, 'SKIPPED: no Electron binary is installed (npm ci could not download it here); the browser-mode tests cover the same UI');

test('the desktop app shows the workbench in an isolated, sandboxed window with no Node, images through its own protocol', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ooc-desktop-'));
  try {
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    execFileSync(tsx, [path.join(ROOT, 'scripts', 'build-shell.ts')], { cwd: ROOT });
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-native-electron.mjs')], { cwd: ROOT, stdio: 'inherit' });
    const dbFile = path.join(dir, 'demo.db');
    execFileSync(tsx, [path.join(ROOT, 'electron', 'cli.ts'), 'demo', '--db', dbFile], { cwd: ROOT });

    const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
    const app = await electron.launch({ executablePath: binary!, args: [ROOT], env: { ...env, OOC_DB: dbFile, OOC_HOME: dir } });
    const page = await app.firstWindow();
    await expect(page.getByTestId('pair-total')).toHaveText(/^\d+ pairs$/);
    await expect(page).toHaveTitle('OOC Workbench');

    // No Node in the page; the bridge offers only the API call and the media address.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    expect(await page.evaluate(() => Object.keys((globalThis as { ooc?: object }).ooc ?? {}).sort())).toEqual(['invoke', 'mediaBase', 'pickFolder']);
    expect(await page.evaluate(() => globalThis.open('https://example.com/') === null)).toBe(true);

    const image = page.getByRole('img', { name: /^Pristine image: / }).first();
    await expect(image).toBeVisible();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await app.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
