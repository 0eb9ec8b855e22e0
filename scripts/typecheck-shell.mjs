// Type-checks the Electron shell (electron/main, electron/preload) when Electron's type
// declarations are installed. An offline `npm ci` drops the optional electron package; the
// rest of the project is checked regardless.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('node_modules/electron/electron.d.ts')) {
  console.log('Electron shell type-check SKIPPED: the optional electron package is not installed (install with a network, or ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci for the types alone).');
  process.exit(0);
}
const result = spawnSync('npx', ['tsc', '-p', 'electron/main/tsconfig.json', '--noEmit', '--composite', 'false', '--declaration', 'false', '--emitDeclarationOnly', 'false'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
