import { contextBridge, ipcRenderer } from 'electron';

/**
 * The renderer's one door to the main process: typed API calls by name, answered with a Result,
 * pushed job progress and the native folder picker. Nothing else of Electron or Node is exposed. (Channel and media base mirror ipc.ts and
 * security.ts; a sandboxed preload is bundled on its own.)
 */
contextBridge.exposeInMainWorld('ooc', {
  invoke: (method: string, input: unknown): Promise<unknown> => ipcRenderer.invoke('ooc:invoke', method, input),
  /** The system's folder picker; resolves to the chosen folder, or null. */
  pickFolder: (title: string): Promise<unknown> => ipcRenderer.invoke('ooc:pick-folder', title),
  mediaBase: 'ooc-media://local/media',
  /** Calls back with every job run each time one changes; returns the unsubscribe. */
  onJobs: (callback: (runs: unknown) => void): (() => void) => {
    const listener = (_event: unknown, runs: unknown): void => callback(runs);
    ipcRenderer.on('ooc:jobs', listener);
    return () => ipcRenderer.removeListener('ooc:jobs', listener);
  },
});
