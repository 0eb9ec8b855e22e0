import { screen, type BrowserWindow, type Rectangle } from 'electron';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** The window's size and place, remembered between launches (only if it still fits a screen). */
export function loadWindowState(file: string): { bounds: Partial<Rectangle>; maximized: boolean } {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { bounds: Rectangle; maximized: boolean };
    const visible = screen.getAllDisplays().some((d) => {
      const a = d.workArea;
      return saved.bounds.x >= a.x - 50 && saved.bounds.y >= a.y - 50 && saved.bounds.x < a.x + a.width - 100 && saved.bounds.y < a.y + a.height - 100;
    });
    return { bounds: visible ? saved.bounds : { width: saved.bounds.width, height: saved.bounds.height }, maximized: saved.maximized };
  } catch {
    return { bounds: { width: 1400, height: 900 }, maximized: false };
  }
}

export function saveWindowState(file: string, window: BrowserWindow): void {
  const temp = `${file}.tmp`;
  writeFileSync(temp, JSON.stringify({ bounds: window.getNormalBounds(), maximized: window.isMaximized() }));
  renameSync(temp, file);
}
