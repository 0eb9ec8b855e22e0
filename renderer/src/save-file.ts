/** Saving what the workbench made (a chart, a table, a report) as a file the user downloads. */

/** Saves a blob under a name, through a link the browser (or Electron's download handler) follows. */
export function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function saveText(text: string, filename: string, type: string): void {
  save(new Blob([text], { type }), filename);
}
