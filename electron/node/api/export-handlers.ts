import path from 'node:path';
import type { ApiMethod } from '../../common/api.ts';
import { OocError } from '../../common/errors.ts';
import { EXPORT_FORMATS, STRATUM_KEYS, type ExportFormat, type SelectionSpec, type StratumKey } from '../../common/export.ts';
import type { Db } from '../store/db.ts';
import { selectPairs } from '../export/selection.ts';
import type { Handlers } from './handlers.ts';
import { pairQuery } from './handlers.ts';
import type { JobRunner } from './job-runner.ts';
import { fields, integer, text, type Fields } from './validate.ts';

type ExportMethods = Extract<ApiMethod, `export.${string}`>;

function subsetOf<T extends string>(f: Fields, key: string, allowed: readonly T[]): T[] | undefined {
  const v = f[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && (allowed as readonly string[]).includes(x))) {
    throw new OocError('BAD_ARGUMENT', `"${key}" must be a list of ${allowed.join(', ')}`);
  }
  return v as T[];
}

function flag(f: Fields, key: string): boolean {
  const v = f[key];
  if (v !== undefined && typeof v !== 'boolean') throw new OocError('BAD_ARGUMENT', `"${key}" must be true or false`);
  return v === true;
}

export function selectionSpec(input: unknown): SelectionSpec {
  const f = fields(input);
  const sample = f.sample === undefined || f.sample === null ? undefined : fields(f.sample);
  const collection = text(f, 'collection', true);
  return {
    ...(f.query === undefined ? {} : { query: pairQuery(f.query) }),
    ...(collection === undefined ? {} : { collection }),
    ...(sample === undefined
      ? {}
      : { sample: { perStratum: integer(sample, 'perStratum'), strata: subsetOf<StratumKey>(sample, 'strata', STRATUM_KEYS) ?? [], seed: integer(sample, 'seed', true) ?? 1 } }),
  };
}

/** Previewing a selection's balance, and writing exports in a worker. */
export function exportHandlers(db: Db, runner: JobRunner<'export'> | undefined, version: string): Pick<Handlers, ExportMethods> {
  const exporter = (): JobRunner<'export'> => {
    if (runner === undefined) throw new OocError('BAD_ARGUMENT', 'exporting from the UI is not available here; use `ooc export`');
    return runner;
  };
  return {
    'export.preview': (input) => selectPairs(db, selectionSpec(input)).preview,
    'export.start': (input) => {
      const f = fields(input);
      const dir = text(f, 'dir');
      if (!path.isAbsolute(dir)) throw new OocError('BAD_ARGUMENT', `give the export folder as a full path, got "${dir}"`);
      const formats = subsetOf<ExportFormat>(f, 'formats', EXPORT_FORMATS) ?? [...EXPORT_FORMATS];
      if (formats.length === 0) throw new OocError('BAD_ARGUMENT', 'choose at least one format');
      return exporter().start({ dir, selection: selectionSpec(f.selection), formats, images: flag(f, 'images'), articles: flag(f, 'articles'), overwrite: flag(f, 'overwrite'), version });
    },
    'export.status': () => exporter().current(),
    'export.cancel': () => exporter().cancel(),
  };
}
