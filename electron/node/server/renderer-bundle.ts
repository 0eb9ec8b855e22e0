import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSET_NAME } from '../../common/assets.ts';

/** The renderer's files by name (see ASSET_NAME), and the chunks app.js imports up front. */
export interface RendererBundle {
  files: Record<string, string>;
  /** Fetched with app.js (modulepreload) rather than after it is parsed. */
  preload?: string[];
}

const ENTRY = fileURLToPath(new URL('../../../renderer/src/main.tsx', import.meta.url));

/**
 * Bundles the React renderer in memory (esbuild, well under a second), so browser mode runs
 * straight from a fresh clone with no separate build step and can never serve a stale build.
 * Views imported with import() become chunks of their own, fetched when first shown.
 */
export async function bundleRenderer(): Promise<RendererBundle> {
  const result = await build({
    entryPoints: { app: ENTRY },
    bundle: true,
    write: false,
    format: 'esm',
    splitting: true,
    chunkNames: 'chunk-[hash]',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    sourcemap: false,
    jsx: 'automatic',
    outdir: 'out',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
    metafile: true,
  });
  const files = Object.fromEntries(result.outputFiles.map((f) => [path.basename(f.path), f.text]));
  for (const name of Object.keys(files)) if (!ASSET_NAME.test(name)) throw new Error(`renderer bundle: unexpected file ${name}`);
  const entry = Object.entries(result.metafile.outputs).find(([file]) => path.basename(file) === 'app.js')?.[1];
  const preload = (entry?.imports ?? []).filter((i) => i.kind === 'import-statement').map((i) => path.basename(i.path));
  return { files, preload };
}

/** The page that loads the bundle; the same in browser mode and in the desktop app. */
export function rendererHtml(bundle: RendererBundle): string {
  const preload = (bundle.preload ?? []).map((name) => `<link rel="modulepreload" href="/assets/${name}">`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>OOC Workbench</title><link rel="stylesheet" href="/assets/app.css">${preload}</head>
<body><div id="root"><p class="muted loading">Loading…</p></div><script type="module" src="/assets/app.js"></script></body></html>
`;
}
