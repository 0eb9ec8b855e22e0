import type { ApiMethod } from '../../common/api.ts';
import { OocError } from '../../common/errors.ts';
import type { JobCenter } from '../jobs/job-center.ts';
import type { TaskRunner } from '../jobs/tasks.ts';
import { acceptPair, deleteCustomSplit, listCustomSplits, removePair } from '../store/custom-splits.ts';
import type { Db } from '../store/db.ts';
import type { Implementations } from './handlers.ts';

type CandidateMethods = Extract<ApiMethod, `candidates.${string}` | `custom.${string}`>;

/** A caption's out-of-context candidates (in the task pool: they search the embedding matrices), and the custom splits built from them or generated (a job). */
export function candidateHandlers(db: Db, tasks: TaskRunner, jobs: JobCenter | undefined): Implementations<CandidateMethods> {
  return {
    'custom.generate': (request) => {
      if (jobs === undefined) throw new OocError('BAD_ARGUMENT', 'splits are generated as a job, which cannot run from here; use `ooc generate-split`');
      return jobs.start('generate-split', request);
    },
    'candidates.get': async ({ model, captionId, text, ...options }) => {
      if ((captionId === undefined) === (text === undefined)) throw new OocError('BAD_ARGUMENT', 'give a caption: its item id, or its text (not both)');
      return { lists: await tasks.run('candidates', { ...options, ...(captionId === undefined ? { text: text! } : { captionId }), ...(model === undefined ? {} : { model }) }) };
    },
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
