import { app, Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openDataset(): void;
  reindex(): void;
  openDemo(): void;
}

/** The application menu. DevTools only in development builds. */
export function buildMenu(actions: MenuActions): Menu {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Dataset…', accelerator: 'CmdOrCtrl+O', click: actions.openDataset },
        { label: 'Open the Demo Dataset', click: actions.openDemo },
        { label: 'Re-index', accelerator: 'CmdOrCtrl+Shift+R', click: actions.reindex },
        { type: 'separator' },
        { label: 'Export…', enabled: false, toolTip: 'Curated exports arrive with the curation feature' },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}
