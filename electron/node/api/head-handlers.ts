import type { ApiMethod } from '../../common/api.ts';
import { OocError } from '../../common/errors.ts';
import { pairedSetNames } from '../heads/data.ts';
import { scorePair } from '../heads/score.ts';
import { deleteHead, listHeads } from '../heads/store.ts';
import type { ApiContext, Implementations } from './handlers.ts';

type HeadMethods = Extract<ApiMethod, `heads.${string}`>;

/** Trained heads: listed and scored here, trained as a job. */
export function headHandlers(ctx: ApiContext): Implementations<HeadMethods> {
  const heads = () => ({ heads: listHeads(ctx.db), sets: pairedSetNames(ctx.db) });
  return {
    'heads.list': heads,
    'heads.train': (request) => {
      if (ctx.jobs === undefined) throw new OocError('BAD_ARGUMENT', 'training cannot run from here; use `ooc train-head`');
      return ctx.jobs.start('train-head', { options: request });
    },
    'heads.delete': ({ name }) => {
      deleteHead(ctx.db, name);
      return heads();
    },
    'heads.score': ({ head, imageId, captionId }) => scorePair(ctx.db, head, imageId, captionId),
  };
}
