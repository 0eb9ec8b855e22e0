import { BrowserWindow, dialog, ipcMain } from 'electron';
import type { AppInfo } from '../common/api.ts';
import { dispatch, type Handlers } from '../node/api/handlers.ts';
import { isAppUrl } from './security.ts';

import { INVOKE_CHANNEL, PICK_FOLDER_CHANNEL } from '../common/bridge.ts';

/** What app.info answers before any dataset is open (first run, or while the first index builds). */
export function noDatasetInfo(version: string): AppInfo {
  return { version, database: '', hasIndex: false, demo: false, indexedAt: null, roots: {}, readOnly: null };
}

/** Serves the typed API over IPC, to the app's own pages only. */
export function registerIpc(handlers: () => Handlers | null, version: string): void {
  ipcMain.handle(INVOKE_CHANNEL, async (event, method: unknown, input: unknown) => {
    if (!isAppUrl(event.senderFrame?.url ?? '')) return { ok: false, error: { code: 'BAD_ARGUMENT', message: 'refused: not an app page' } };
    const current = handlers();
    if (current === null) {
      if (method === 'app.info') return { ok: true, value: noDatasetInfo(version) };
      return { ok: false, error: { code: 'INDEX_MISSING', message: 'no dataset is open: File → Open Dataset…' } };
    }
    return dispatch(current, String(method), input);
  });
  ipcMain.handle(PICK_FOLDER_CHANNEL, async (event, title: unknown) => {
    if (!isAppUrl(event.senderFrame?.url ?? '')) return null;
    const win = BrowserWindow.fromWebContents(event.sender);
    const options = { title: String(title).slice(0, 200), properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[] };
    const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  });
}
