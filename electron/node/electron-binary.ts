import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The Electron executable the electron package downloaded at install, or null when it could not. */
export function electronBinary(): string | null {
  try {
    const relative = readFileSync(path.join(REPO_ROOT, 'node_modules', 'electron', 'path.txt'), 'utf8').trim();
    const binary = path.join(REPO_ROOT, 'node_modules', 'electron', 'dist', relative);
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}
