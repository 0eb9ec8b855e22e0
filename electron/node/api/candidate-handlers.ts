import type { ApiMethod } from '../../common/api.ts';
import type { TaskRunner } from '../jobs/tasks.ts';
import { acceptPair, deleteCustomSplit, listCustomSplits, removePair } from '../store/custom-splits.ts';
import type { Db } from '../store/db.ts';
import type { Implementations } from './handlers.ts';

type CandidateMethods = Extract<ApiMethod, `candidates.${string}` | `custom.${string}`>;

/** A caption's out-of-context candidates (in the task pool: they search the embedding matrices), and the custom splits built from them. */
export function candidateHandlers(db: Db, tasks: TaskRunner): Implementations<CandidateMethods> {
  return {
    'candidates.get': async ({ model, ...options }) => ({ lists: await tasks.run('candidates', { ...options, ...(model === undefined ? {} : { model }) }) }),
    'custom.list': () => ({ splits: listCustomSplits(db) }),
    'custom.accept': ({ name, subset, ...pair }) => ({ split: acceptPair(db, name, subset, pair), splits: listCustomSplits(db) }),
    'custom.remove': ({ name, subset, captionId }) => {
      removePair(db, name, subset, captionId);
      return { splits: listCustomSplits(db) };
    },
    'custom.delete': ({ name }) => {
      deleteCustomSplit(db, name);
      return { splits: listCustomSplits(db) };
    },
  };
}
