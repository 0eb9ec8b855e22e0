import type { WebPreferences } from 'electron';
import { MEDIA_SCHEME } from '../common/bridge.ts';
import { ASSET_NAME, assetType } from '../common/assets.ts';
import { contentSecurityPolicy } from '../common/csp.ts';

/**
 * The desktop shell's security settings, kept apart from the code that applies them so they
 * can be tested without Electron. The renderer is a web page with no Node: it reaches the main
 * process only through the preload bridge, and files only through the ooc-media: protocol.
 */

/** Where the renderer's own files are served from (a privileged standard scheme, not file://). */
export const APP_SCHEME = 'ooc-app';
export const APP_ORIGIN = `${APP_SCHEME}://workbench`;

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy([`${MEDIA_SCHEME}:`]);

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

/** Whether a URL is one of the app's own pages: the only thing the window may show or be called from. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'workbench';
  } catch {
    return false;
  }
}

/**
 * The renderer file for an ooc-app: request, by exact name (no path from the request ever
 * reaches the file system: the page, or a bundle file named as the bundler names them). Unknown
 * paths under the app serve index.html, so the view state in the address survives a reload.
 */
export function appFileFor(url: string): { file: string; contentType: string } | null {
  if (!isAppUrl(url)) return null;
  const { pathname } = new URL(url);
  if (!pathname.startsWith('/assets/')) return { file: 'index.html', contentType: 'text/html; charset=utf-8' };
  const name = pathname.slice('/assets/'.length);
  return ASSET_NAME.test(name) ? { file: name, contentType: assetType(name) } : null;
}
