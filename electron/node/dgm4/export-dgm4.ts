import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Dgm4Query } from '../../common/dgm4.ts';
import { OocError } from '../../common/errors.ts';
import { writeFileAtomically } from '../atomic-write.ts';
import type { Db } from '../store/db.ts';
import { dgm4Records, requireDgm4Split } from '../store/dgm4.ts';

export type Dgm4Selection = Omit<Dgm4Query, 'offset' | 'limit'>;

/**
 * A selection of DGM4 samples in DGM4's own metadata format: one JSON list of the records as the
 * file had them, in file order, joined as Python's json.dump joins them (so a whole split written
 * by json.dump comes back byte for byte), ready for DGM4's loaders or to index again.
 */
export function dgm4Json(db: Db, selection: Dgm4Selection): { json: string; records: number } {
  requireDgm4Split(db, selection.split);
  const records = [...dgm4Records(db, selection)];
  return { json: `[${records.join(', ')}]`, records: records.length };
}

/** Writes a selection to a new file (never over an existing one: nothing the user has is replaced). */
export function exportDgm4(db: Db, selection: Dgm4Selection, file: string): { file: string; records: number } {
  const target = path.resolve(file);
  if (existsSync(target)) throw new OocError('BAD_ARGUMENT', `${target} exists: give a new file name (an export never replaces a file)`);
  if (!existsSync(path.dirname(target))) throw new OocError('BAD_ARGUMENT', `the folder ${path.dirname(target)} does not exist`);
  const { json, records } = dgm4Json(db, selection);
  writeFileAtomically(target, json);
  return { file: target, records };
}
