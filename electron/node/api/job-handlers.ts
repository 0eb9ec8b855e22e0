import path from 'node:path';
import type { ApiMethod } from '../../common/api.ts';
import { OocError } from '../../common/errors.ts';
import type { JobCenter } from '../jobs/job-center.ts';
import type { ApiContext, Implementations } from './handlers.ts';
import { dgm4Status } from '../store/dgm4.ts';

type JobMethods = Extract<ApiMethod, `index.${string}` | 'dgm4.index' | 'dgm4.status' | 'dgm4.cancel' | `embed.${string}` | 'neighbours.index' | `jobs.${string}` | 'export.start' | 'export.status' | 'export.cancel' | 'images.check'>;

/** The long jobs (indexing, embedding, exporting, checking images), all through the dataset's one job center. */
export function jobHandlers(ctx: ApiContext, version: string): Implementations<JobMethods> {
  const jobs = (): JobCenter => {
    if (ctx.jobs === undefined) throw new OocError('BAD_ARGUMENT', 'long jobs cannot run from here; use the ooc commands (`ooc index`, `ooc embed`, `ooc export`)');
    return ctx.jobs;
  };
  return {
    'index.start': (input) => jobs().start('index', input),
    'index.status': () => jobs().latest('index'),
    'index.cancel': () => jobs().cancelKind('index'),
    'dgm4.index': (input) => jobs().start('index-dgm4', input),
    'dgm4.status': () => dgm4Status(ctx.db),
    'dgm4.cancel': () => jobs().cancelKind('index-dgm4'),
    'embed.start': (input) => jobs().start('embed', input),
    'embed.status': () => jobs().latest('embed'),
    'embed.cancel': () => jobs().cancelKind('embed'),
    'neighbours.index': ({ model, kind }) => jobs().start('ann-index', { model, vectors: kind }),
    'export.start': (request) => {
      if (!path.isAbsolute(request.dir)) throw new OocError('BAD_ARGUMENT', `give the export folder as a full path, got "${request.dir}"`);
      return jobs().start('export', { ...request, version });
    },
    'export.status': () => jobs().latest('export'),
    'export.cancel': () => jobs().cancelKind('export'),
    'images.check': (input) => jobs().start('check-images', input),
    'jobs.list': () => ({ runs: jobs().runs() }),
    'jobs.cancel': ({ id }) => jobs().cancel(id),
  };
}
