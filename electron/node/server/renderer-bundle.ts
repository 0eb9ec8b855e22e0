import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSET_NAME } from '../../common/assets.ts';

/** The renderer's files by name (see ASSET_NAME), and the chunks app.js imports up front. */
export interface RendererBundle {
  files: Record<string, string>;
  /** Fetched with app.js (modulepreload) rather than after it is parsed. */
  preload?: string[];
  /** The app's icon as a data: URL, the page's icon: without one, the browser asks the server for /favicon.ico, again at each change of the address (each keystroke of a search). */
  icon?: string;
}

const ENTRY = fileURLToPath(new URL('../../../renderer/src/main.tsx', import.meta.url));
const ICON = fileURLToPath(new URL('../../../resources/packaging/icon.svg', import.meta.url));

/**
 * The renderer is written against React's API and runs on Preact (preact/compat): the same
 * components with a 20 KB runtime instead of react-dom's 180 KB, which a cold start would parse
 * and evaluate before the first screen (about 130 ms on a 2-core machine). `react: true` builds
 * it on React instead, for the browse benchmark's side-by-side comparison.
 */
const PREACT = { react: 'preact/compat', 'react-dom': 'preact/compat', 'react/jsx-runtime': 'preact/jsx-runtime' };

/**
 * Bundles the renderer in memory (esbuild, well under a second), so browser mode runs
 * straight from a fresh clone with no separate build step and can never serve a stale build.
 * A view imported with import() becomes a chunk of its own, fetched when first shown.
 */
export async function bundleRenderer(options: { react?: boolean } = {}): Promise<RendererBundle> {
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
    alias: options.react ? {} : PREACT,
  });
  const files = Object.fromEntries(result.outputFiles.map((f) => [path.basename(f.path), f.text]));
  for (const name of Object.keys(files)) if (!ASSET_NAME.test(name)) throw new Error(`renderer bundle: unexpected file ${name}`);
  // Preloaded: every chunk app.js imports up front, and the chunks those import.
  const byName = new Map(Object.entries(result.metafile.outputs).map(([file, output]) => [path.basename(file), output]));
  const preload = new Set<string>();
  const visit = (name: string): void => {
    for (const i of byName.get(name)?.imports ?? []) {
      const imported = path.basename(i.path);
      if (i.kind !== 'import-statement' || preload.has(imported)) continue;
      preload.add(imported);
      visit(imported);
    }
  };
  visit('app.js');
  return { files, preload: [...preload], icon: `data:image/svg+xml;base64,${readFileSync(ICON).toString('base64')}` };
}

/**
 * The page that loads the bundle, in two parts: the first starts the fetches of the scripts and
 * styles and says "Loading…"; browser mode sends the first screen's answers after it, once
 * they are worked out (while the browser fetches the scripts), and then the end. The scripts,
 * being modules, run only once the whole page is in. The same in the desktop app, without answers.
 */
export function rendererHtmlStart(bundle: RendererBundle): string {
  const preload = (bundle.preload ?? []).map((name) => `<link rel="modulepreload" href="/assets/${name}">`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>OOC Workbench</title>${bundle.icon === undefined ? '' : `<link rel="icon" href="${bundle.icon}">`}<link rel="stylesheet" href="/assets/app.css">${preload}</head>
<body><div id="root"><p class="muted loading">Loading…</p></div><script type="module" src="/assets/app.js"></script>
`;
}

export const RENDERER_HTML_END = '</body></html>\n';

export function rendererHtml(bundle: RendererBundle): string {
  return rendererHtmlStart(bundle) + RENDERER_HTML_END;
}
