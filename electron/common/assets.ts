/**
 * The renderer bundle's files, as browser mode and the desktop app's protocol both serve them:
 * `app.js` (the entry), `app.css`, and `chunk-<hash>.js` for each part loaded on demand. Only a
 * name of this form is served from /assets/, by exact name: no path from a request reaches the
 * file system.
 */
export const ASSET_NAME = /^(?:app\.(?:js|css)|chunk-[\w-]+\.js)$/;

export function assetType(name: string): string {
  return name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
}
