import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { optionalString } from './args.ts';

/** Writes a file whole or not at all (a temporary file beside it, renamed over it). */
export function writeAtomically(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** Prints the table, and with --json writes the figures (or prints them alone, with "--json -"). */
export function writeFigures(values: Record<string, string | boolean | undefined>, figures: unknown, table: string): void {
  const json = optionalString(values, 'json');
  if (json === '-') process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  else {
    process.stdout.write(`${table}\n`);
    if (json !== undefined) {
      writeAtomically(path.resolve(json), `${JSON.stringify(figures, null, 2)}\n`);
      process.stdout.write(`\nWrote ${path.resolve(json)}\n`);
    }
  }
}
