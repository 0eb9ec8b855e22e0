import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BrowserWindow, dialog, ipcMain } from 'electron';
import type { AppInfo } from '../common/api.ts';
import { dispatch, type Handlers } from '../node/api/handlers.ts';
import { isAppUrl } from './security.ts';

import { INVOKE_CHANNEL, PICK_FOLDER_CHANNEL, REPORT_PDF_CHANNEL } from '../common/bridge.ts';
import type { Result } from '../common/errors.ts';
import { writeFileAtomically } from '../node/atomic-write.ts';

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
  ipcMain.handle(REPORT_PDF_CHANNEL, async (event, caseId: unknown): Promise<Result<string | null>> => {
    if (!isAppUrl(event.senderFrame?.url ?? '')) return { ok: false, error: { code: 'BAD_ARGUMENT', message: 'refused: not an app page' } };
    const current = handlers();
    if (current === null) return { ok: false, error: { code: 'INDEX_MISSING', message: 'no dataset is open' } };
    const report = await dispatch(current, 'cases.report', { caseId });
    if (!report.ok) return report;
    const { html, filename } = report.value as { html: string; filename: string };
    const win = BrowserWindow.fromWebContents(event.sender);
    const options = { title: 'Save the report as PDF', defaultPath: `${filename}.pdf`, filters: [{ name: 'PDF', extensions: ['pdf'] }] };
    const target = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    if (target.canceled || target.filePath === undefined) return { ok: true, value: null };
    try {
      writeFileAtomically(target.filePath, await printToPdf(html));
      return { ok: true, value: target.filePath };
    } catch (err) {
      return { ok: false, error: { code: 'INTERNAL', message: `the PDF could not be written to ${target.filePath}: ${err instanceof Error ? err.message : String(err)}` } };
    }
  });
}

/**
 * The report (self-contained HTML: images inline, no scripts) printed by Chromium in a hidden
 * window that runs no JavaScript and has no preload; its own CSP stops any fetch.
 */
async function printToPdf(html: string): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ooc-report-'));
  const page = new BrowserWindow({ show: false, webPreferences: { javascript: false, sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true } });
  try {
    const file = path.join(dir, 'report.html');
    await writeFile(file, html);
    page.webContents.on('will-navigate', (e) => e.preventDefault());
    await page.loadFile(file);
    return await page.webContents.printToPDF({ printBackground: true, pageSize: 'A4', margins: { marginType: 'default' } });
  } finally {
    page.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
