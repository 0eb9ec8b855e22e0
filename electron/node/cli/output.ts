import path from 'node:path';
import { writeFileAtomically } from '../atomic-write.ts';
import { optionalString } from './args.ts';

/** Prints the table, and with --json writes the figures (or prints them alone, with "--json -"). */
export function writeFigures(values: Record<string, string | boolean | undefined>, figures: unknown, table: string): void {
  const json = optionalString(values, 'json');
  if (json === '-') process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  else {
    process.stdout.write(`${table}\n`);
    if (json !== undefined) {
      writeFileAtomically(path.resolve(json), `${JSON.stringify(figures, null, 2)}\n`);
      process.stdout.write(`\nWrote ${path.resolve(json)}\n`);
    }
  }
}
