import type { Db } from '../store/db.ts';
import { selectPairs } from '../export/selection.ts';
import type { Implementations } from './handlers.ts';

/** Previewing a selection's balance (exports themselves are jobs: job-handlers.ts). */
export function exportHandlers(db: Db): Implementations<'export.preview'> {
  return {
    'export.preview': (selection) => selectPairs(db, selection).preview,
  };
}
