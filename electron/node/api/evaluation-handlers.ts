import path from 'node:path';
import type { ApiMethod } from '../../common/api.ts';
import { OocError } from '../../common/errors.ts';
import { importPredictions } from '../evaluation/import-run.ts';
import type { JobCenter } from '../jobs/job-center.ts';
import type { TaskRunner } from '../jobs/tasks.ts';
import { deleteRun, listRuns, requireRun, runProblems } from '../store/predictions.ts';
import type { ApiContext, Implementations } from './handlers.ts';

type EvaluationMethods = Extract<ApiMethod, `predictions.${string}` | `evaluation.${string}`>;

/** A predictions file named by the user: a full path, as the export folder is. */
function fullPath(file: string): string {
  if (!path.isAbsolute(file)) throw new OocError('BAD_ARGUMENT', `give the predictions file as a full path, got "${file}"`);
  return file;
}

const strip = <T extends { id: number }>({ id: _id, ...run }: T): Omit<T, 'id'> => run;

/** Prediction runs: previewed and listed here, imported as a job, evaluated in the task pool (bootstraps of large runs take seconds). */
export function evaluationHandlers(ctx: ApiContext, tasks: TaskRunner): Implementations<EvaluationMethods> {
  const jobs = (): JobCenter => {
    if (ctx.jobs === undefined) throw new OocError('BAD_ARGUMENT', 'imports cannot run from here; use `ooc predictions import`');
    return ctx.jobs;
  };
  return {
    'predictions.list': () => ({ runs: listRuns(ctx.db).map(strip) }),
    'predictions.preview': (source) => importPredictions(ctx.db, { ...source, file: fullPath(source.file), name: 'preview', dryRun: true, headOnly: true }),
    'predictions.import': (request) => jobs().start('import-predictions', { ...request, file: fullPath(request.file) }),
    'predictions.problems': ({ name, kind }) => ({ problems: runProblems(ctx.db, requireRun(ctx.db, name).id, kind) }),
    'predictions.delete': ({ name }) => {
      deleteRun(ctx.db, name);
      return { runs: listRuns(ctx.db).map(strip) };
    },
    'evaluation.get': ({ run, ...options }) => tasks.run('evaluate', { run, ...options }),
    'evaluation.compare': (request) => tasks.run('compare', request),
    'evaluation.tokens': (request) => tasks.run('tokens', request),
  };
}
