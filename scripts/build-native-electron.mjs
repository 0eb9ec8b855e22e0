// Builds better-sqlite3 for Electron's ABI into build/electron/better_sqlite3.node, beside the
// build for plain Node that `npm ci` made (the CLI and tests keep using that one; the desktop
// app loads this one through better-sqlite3's nativeBinding option). better-sqlite3 is not
// N-API, so one binary cannot serve both: the "NODE_MODULE_VERSION mismatch" crash otherwise.
// Fetches Electron's prebuilt addon (needs a network once); does nothing if it is already there.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const target = path.resolve('build/electron/better_sqlite3.node');
const electronVersion = JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')).version;
const stamp = `${target}.${electronVersion}`;
if (existsSync(target) && existsSync(stamp)) process.exit(0);

const work = mkdtempSync(path.join(os.tmpdir(), 'ooc-electron-sqlite-'));
try {
  cpSync('node_modules/better-sqlite3', work, { recursive: true });
  rmSync(path.join(work, 'build'), { recursive: true, force: true });
  const prebuild = path.resolve('node_modules/.bin/prebuild-install');
  execFileSync(prebuild, ['--runtime', 'electron', '--target', electronVersion, '--arch', process.arch], { cwd: work, stdio: 'inherit' });
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(path.join(work, 'build', 'Release', 'better_sqlite3.node'), target);
  cpSync(target, stamp);
  console.log(`better-sqlite3 for Electron ${electronVersion}: ${target}`);
} catch (err) {
  console.error(`Could not fetch better-sqlite3 for Electron ${electronVersion} (${err.message}). The desktop app needs it; browser mode and the CLI do not.`);
  process.exit(1);
} finally {
  rmSync(work, { recursive: true, force: true });
}
