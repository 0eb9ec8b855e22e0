import { contextBridge, ipcRenderer } from 'electron';
import { INVOKE_CHANNEL, JOBS_CHANNEL, MEDIA_BASE, PICK_FOLDER_CHANNEL, REPORT_PDF_CHANNEL } from '../common/bridge.ts';

/**
 * The renderer's one door to the main process: typed API calls by name, answered with a Result,
 * pushed job progress, the native folder picker and printing a report to PDF. Nothing else of Electron or Node is exposed.
 * (The channels and the media base come from common/bridge.ts; a sandboxed preload is bundled on its own.)
 */
contextBridge.exposeInMainWorld('ooc', {
  invoke: (method: string, input: unknown): Promise<unknown> => ipcRenderer.invoke(INVOKE_CHANNEL, method, input),
  /** The system's folder picker; resolves to the chosen folder, or null. */
  pickFolder: (title: string): Promise<unknown> => ipcRenderer.invoke(PICK_FOLDER_CHANNEL, title),
  /** Prints a case's report to a PDF file the user picks; resolves to a Result of the path, or null when cancelled. */
  reportPdf: (caseId: number): Promise<unknown> => ipcRenderer.invoke(REPORT_PDF_CHANNEL, caseId),
  mediaBase: MEDIA_BASE,
  /** Calls back with every job run each time one changes; returns the unsubscribe. */
  onJobs: (callback: (runs: unknown) => void): (() => void) => {
    const listener = (_event: unknown, runs: unknown): void => callback(runs);
    ipcRenderer.on(JOBS_CHANNEL, listener);
    return () => ipcRenderer.removeListener(JOBS_CHANNEL, listener);
  },
});
