import type { ApiMethod } from '../../common/api.ts';
import { OocError } from '../../common/errors.ts';
import type { ApiContext, Implementations } from './handlers.ts';

type JobMethods = Extract<ApiMethod, `index.${string}` | `embed.${string}`>;

/** Indexing and embedding from the UI, each in a worker (export-handlers.ts has exporting). */
export function jobHandlers(ctx: ApiContext): Implementations<JobMethods> {
  const indexer = () => {
    if (ctx.indexer === undefined) throw new OocError('BAD_ARGUMENT', 'indexing from the UI is not available here; use `ooc index`');
    return ctx.indexer;
  };
  const embedder = () => {
    if (ctx.embedder === undefined) throw new OocError('BAD_ARGUMENT', 'embedding from the UI is not available here; use `ooc embed`');
    return ctx.embedder;
  };
  return {
    'index.start': (input) => indexer().start(input),
    'index.status': () => indexer().current(),
    'index.cancel': () => indexer().cancel(),
    'embed.start': (input) => embedder().start(input),
    'embed.status': () => embedder().current(),
    'embed.cancel': () => embedder().cancel(),
  };
}
