import { closeSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes a file whole or not at all: a temporary file beside it, renamed over it. `durable`
 * also syncs the bytes to disk before the rename, for what the user made (a case's images).
 */
export function writeFileAtomically(file: string, data: string | Uint8Array, { durable = false }: { durable?: boolean } = {}): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(temporary, data);
  if (durable) {
    const fd = openSync(temporary, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  renameSync(temporary, file);
}
