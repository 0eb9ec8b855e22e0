/**
 * Builds the desktop shell into out/: the main process (ESM), the sandboxed preload (CommonJS,
 * as sandboxed preloads must be), the indexing worker, and the renderer page and bundle.
 * Dependencies stay external: they load from node_modules (unpacked from the asar when native).
 *
 *   npm run build:shell
 */
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleRenderer, rendererHtml } from '../electron/node/server/renderer-bundle.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'out');

const started = performance.now();
rmSync(OUT, { recursive: true, force: true });
const common = { bundle: true, platform: 'node' as const, target: 'node20', packages: 'external' as const, sourcemap: 'linked' as const, logLevel: 'warning' as const };
await Promise.all([
  build({ ...common, entryPoints: [path.join(ROOT, 'electron/main/main.ts')], outfile: path.join(OUT, 'main/main.mjs'), format: 'esm', external: ['electron'] }),
  build({ ...common, entryPoints: [path.join(ROOT, 'electron/preload/preload.ts')], outfile: path.join(OUT, 'preload/preload.cjs'), format: 'cjs', external: ['electron'] }),
  build({ ...common, entryPoints: [path.join(ROOT, 'electron/workers/job-worker.ts')], outfile: path.join(OUT, 'workers/job-worker.mjs'), format: 'esm' }),
  build({ ...common, entryPoints: [path.join(ROOT, 'electron/workers/task-worker.ts')], outfile: path.join(OUT, 'workers/task-worker.mjs'), format: 'esm' }),
]);
const renderer = await bundleRenderer();
mkdirSync(path.join(OUT, 'renderer'), { recursive: true });
writeFileSync(path.join(OUT, 'renderer/index.html'), rendererHtml(renderer));
for (const [name, text] of Object.entries(renderer.files)) writeFileSync(path.join(OUT, 'renderer', name), text);
process.stdout.write(`shell built in ${OUT} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
