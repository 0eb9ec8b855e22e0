import { chromium, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ensureIndex, runJson, searchTerms, TSX, WORK } from './ingest.ts';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]): string => `${median(xs).toFixed(0).padStart(5)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`.padEnd(21);
const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

/**
 * Run in the page before its scripts: notes when the first pair row is in the DOM and then
 * painted, when the search box last got input, and when the pair total reads
 * `window.__bench.expect` with a highlighted row, then painted.
 */
const WATCH = `window.__bench = {};
addEventListener('input', () => { window.__bench.typed = performance.now(); }, true);
const painted = (key) => requestAnimationFrame(() => setTimeout(() => { window.__bench[key] = performance.now(); }));
new MutationObserver(() => {
  const b = window.__bench;
  if (b.row === undefined && document.querySelector('[data-testid="pair-row"]')) { b.row = performance.now(); painted('rowPainted'); }
  if (b.expect !== undefined && b.found === undefined && document.querySelector('[data-testid="pair-total"]')?.textContent === b.expect && document.querySelector('[data-testid="pair-row"] mark')) { b.found = performance.now(); painted('foundPainted'); }
}).observe(document, { subtree: true, childList: true, characterData: true });`;

interface Bench { __bench: Record<string, number | undefined> }

/** Serves the index from a process of its own (bench/probes/browse-server.ts), as `ooc serve` does. */
async function serve(dbFile: string, react: boolean): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(TSX, [path.join(HERE, 'probes', 'browse-server.ts'), dbFile, path.join(WORK, 'thumbs'), ...(react ? ['--react'] : [])], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the browse server exited (${code}) before listening`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

interface Fling { frames: number[]; rows: number; seconds: number; heapBefore: number; heapAfter: number }

interface Timings { open: { page: number[]; outer: number[] }; search: { page: number[]; outer: number[] } }

/** Opens the app on a split file in a fresh browser profile, then types a search once it has settled. */
async function openAndSearch(page: Page, url: string, expected: string, word: string, into: Timings): Promise<void> {
  await page.addInitScript(WATCH);
  const start = performance.now();
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as Bench).__bench.rowPainted !== undefined);
  into.open.outer.push(performance.now() - start);
  into.open.page.push(await page.evaluate<number>('window.__bench.rowPainted'));
  // Typing starts once the page has settled (its counts and thumbnails in), as a person's would.
  await page.waitForFunction(() => document.querySelector('aside.facets[aria-busy="false"]') !== null && Array.from(document.images).every((img) => img.complete), null, { timeout: 300_000 });
  await page.evaluate(`window.__bench.expect = ${JSON.stringify(expected)}`);
  const typed = performance.now();
  await page.getByRole('searchbox', { name: 'Search captions' }).fill(word);
  await page.waitForFunction(() => (window as unknown as Bench).__bench.foundPainted !== undefined);
  into.search.outer.push(performance.now() - typed);
  into.search.page.push(await page.evaluate<number>('window.__bench.foundPainted - window.__bench.typed'));
}

/**
 * Browse benchmark on the full-scale synthetic index (made by the ingest benchmark when
 * missing): time from opening the app to the first page of pairs visible and from typing a search
 * to its results visible, in Chromium; server-side page fetches at page 1 and page 101.
 */
export async function benchBrowse(args: string[]): Promise<void> {
  const { dbFile, corpus } = ensureIndex(args.includes('--fresh'));
  const word = searchTerms(corpus.origin)[2]!;
  process.stderr.write('server-side page fetches (fresh process) …\n');
  const server = runJson<Record<string, { page1Ms: number; page101Ms: number | null; total: number }>>(TSX, [path.join(HERE, 'probes', 'browse-probe.ts'), dbFile, word]);

  process.stderr.write('in Chromium, the renderer on Preact and the same renderer on React, runs interleaved …\n');
  // Each served as `ooc serve` serves it, from a process of its own: the sidebar's counts in a worker thread.
  const running = await serve(dbFile, false);
  const baseline = await serve(dbFile, true);
  const browser = await chromium.launch({
    executablePath: process.env.OOC_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-precise-memory-info', '--js-flags=--expose-gc'],
  });
  // Each time is taken twice: by the page's own clock (from navigation start, or from the input
  // event, to the frame after the DOM shows the result: what the user waits for), and by this
  // process around Playwright's calls (which adds its round trips and polling).
  const timings = (): Timings => ({ open: { page: [], outer: [] }, search: { page: [], outer: [] } });
  const preact = timings();
  const react = timings();
  const view = '&split=semantics_clip_text_text&subset=train';
  const expected = `${server[`search "${word}"`]!.total.toLocaleString('en-US')} pairs`;
  // A first round for each (not counted) warms the servers' caches and the sidebar's columns.
  for (let run = 0; run < 12; run++) {
    for (const [url, into] of [[running.url, preact], [baseline.url, react]] as const) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const measured = run === 0 ? timings() : into;
      await openAndSearch(await context.newPage(), `${url}${view}`, expected, word, measured);
      await context.close();
    }
  }
  const fling = async (url: string): Promise<Fling> => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${url}${view}`);
    await page.getByTestId('pair-row').first().waitFor({ state: 'visible' });
    // Fling the list through 20,000 rows, 2,000 px a frame (the list grows as pages load by
    // cursor): frame intervals, and the JS heap after a full GC before and after.
    // (A string: tsx's transform wraps named functions in a helper that does not exist in the page.)
    const result = (await page.evaluate(`new Promise((resolve) => {
      const list = document.querySelector('.pair-list');
      const rowHeight = 132;
      window.gc();
      const heapBefore = performance.memory.usedJSHeapSize;
      const frames = [];
      const started = performance.now();
      let last = started;
      requestAnimationFrame(function step(now) {
        frames.push(now - last);
        last = now;
        list.scrollTop += 2000;
        if (list.scrollTop / rowHeight < 20000 && now - started < 120000) return requestAnimationFrame(step);
        setTimeout(() => {
          window.gc();
          resolve({ frames, rows: Math.round(list.scrollTop / rowHeight), seconds: (now - started) / 1000, heapBefore, heapAfter: performance.memory.usedJSHeapSize });
        }, 500);
      });
    })`)) as Fling;
    await context.close();
    return result;
  };
  const scroll = await fling(running.url);
  const scrollReact = await fling(baseline.url);
  await browser.close();
  running.child.stdin!.end();
  baseline.child.stdin!.end();

  const lines = [
    `browse benchmark — full-scale index; largest split file: Semantics / CLIP Text-Text train (${server['file order']!.total.toLocaleString('en-US')} pairs)`,
    '',
    `median of 11 (range)                           page's clock            around Playwright       the same on React (page's clock)`,
    `open the app → first page painted            ${spread(preact.open.page)}   ${spread(preact.open.outer)}   ${spread(react.open.page)} ${(median(react.open.page) / median(preact.open.page)).toFixed(2)}×   target ≤ 500 ms (page's clock)`,
    `type a search → its results painted          ${spread(preact.search.page)}   ${spread(preact.search.outer)}   ${spread(react.search.page)} ${(median(react.search.page) / median(preact.search.page)).toFixed(2)}×   target ≤ 100 ms`,
    ...([['', scroll], [' (the same on React)', scrollReact]] as const).flatMap(([name, f]) => [
      `flinging through ${f.rows.toLocaleString('en-US')} rows at 2,000 px/frame${name} (${f.seconds.toFixed(1)} s; pages loaded by cursor on the way)`,
      `  frame interval median ${median(f.frames).toFixed(1)} ms, p95 ${percentile(f.frames, 0.95).toFixed(1)} ms   target p95 ≤ 33 ms`,
      `  JS heap after a full GC: ${(f.heapBefore / 2 ** 20).toFixed(1)} MB before, ${(f.heapAfter / 2 ** 20).toFixed(1)} MB after (+${((f.heapAfter - f.heapBefore) / 2 ** 20).toFixed(1)} MB)   target growth ≤ 50 MB`,
    ]),
    '',
    'server-side page of 100 pairs          page 1     page 101   ratio    matching pairs',
    ...Object.entries(server).map(([name, r]) => `  ${name.padEnd(34)} ${r.page1Ms.toFixed(2).padStart(7)} ms ${r.page101Ms === null ? '    (under 101 pages)' : `${r.page101Ms.toFixed(2).padStart(7)} ms  ${(r.page101Ms / r.page1Ms).toFixed(2).padStart(5)}×`}   ${r.total.toLocaleString('en-US')}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
