/**
 * The names the main process and the preload share: IPC channels and the media base URL. Pure
 * constants, so the sandboxed preload (bundled on its own) and main import the same ones.
 */
export const INVOKE_CHANNEL = 'ooc:invoke';
export const PICK_FOLDER_CHANNEL = 'ooc:pick-folder';
/** Renderer → main: print a case's report to a PDF file the user picks (desktop only). */
export const REPORT_PDF_CHANNEL = 'ooc:report-pdf';
/** Main → renderer: every job run, each time one changes (see JobCenter). */
export const JOBS_CHANNEL = 'ooc:jobs';
/** Images and thumbnails, addressed by item id: ooc-media://local/media/thumb/<id>. */
export const MEDIA_SCHEME = 'ooc-media';
export const MEDIA_BASE = `${MEDIA_SCHEME}://local/media`;
