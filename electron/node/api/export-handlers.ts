import path from 'node:path';
import type { ApiMethod } from '../../common/api.ts';
import { OocError } from '../../common/errors.ts';
import type { Db } from '../store/db.ts';
import { selectPairs } from '../export/selection.ts';
import type { Implementations } from './handlers.ts';
import type { JobRunner } from './job-runner.ts';

type ExportMethods = Extract<ApiMethod, `export.${string}`>;

/** Previewing a selection's balance, and writing exports in a worker. */
export function exportHandlers(db: Db, runner: JobRunner<'export'> | undefined, version: string): Implementations<ExportMethods> {
  const exporter = (): JobRunner<'export'> => {
    if (runner === undefined) throw new OocError('BAD_ARGUMENT', 'exporting from the UI is not available here; use `ooc export`');
    return runner;
  };
  return {
    'export.preview': (selection) => selectPairs(db, selection).preview,
    'export.start': (request) => {
      if (!path.isAbsolute(request.dir)) throw new OocError('BAD_ARGUMENT', `give the export folder as a full path, got "${request.dir}"`);
      return exporter().start({ ...request, version });
    },
    'export.status': () => exporter().current(),
    'export.cancel': () => exporter().cancel(),
  };
}
