import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export interface RendererBundle {
  js: string;
  css: string;
}

const ENTRY = fileURLToPath(new URL('../../../renderer/src/main.tsx', import.meta.url));

/**
 * Bundles the React renderer in memory (esbuild, well under a second), so browser mode runs
 * straight from a fresh clone with no separate build step and can never serve a stale build.
 */
export async function bundleRenderer(): Promise<RendererBundle> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    sourcemap: false,
    jsx: 'automatic',
    outdir: 'out',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const file = (ext: string): string => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return { js: file('.js'), css: file('.css') };
}

/** The page that loads the bundle; the same in browser mode and in the desktop app. */
export function rendererHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>OOC Workbench</title><link rel="stylesheet" href="/assets/app.css"></head>
<body><div id="root"><p class="muted loading">Loading…</p></div><script type="module" src="/assets/app.js"></script></body></html>
`;
}
