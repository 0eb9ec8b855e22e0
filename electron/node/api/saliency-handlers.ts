import type { ApiArgs, ApiMethod } from '../../common/api.ts';
import type { SaliencyParams } from '../../common/saliency.ts';
import type { JobCenter } from '../jobs/job-center.ts';
import type { SaliencyTask, TaskRunner } from '../jobs/tasks.ts';
import type { Implementations } from './handlers.ts';

type SaliencyMethods = Extract<ApiMethod, `saliency.${string}`>;

/** The method, model and parameters a request gives (the rest default in explainImage). */
export function saliencyOptions(r: Omit<ApiArgs<'saliency.explain'>, 'imageId' | 'captionId'>): Omit<SaliencyTask, 'imageId' | 'captionId'> {
  const params: Partial<SaliencyParams> = Object.fromEntries((['grid', 'masks', 'seed', 'keep'] as const).flatMap((k) => (r[k] === undefined ? [] : [[k, r[k]]])));
  return { method: r.method, params, colormap: r.colormap, ...(r.model === undefined ? {} : { model: r.model }) };
}

const taskOf = (r: ApiArgs<'saliency.explain'>): SaliencyTask => ({ imageId: r.imageId, captionId: r.captionId, ...saliencyOptions(r) });

/** Explaining pairs from the UI: maps computed (or read from the cache) and drawn as PNGs, off the main loop. */
export function saliencyHandlers(tasks: TaskRunner, jobs: JobCenter | undefined): Implementations<SaliencyMethods> {
  return {
    'saliency.explain': (r) => {
      const explain = (onProgress: (p: { done: number; total: number }) => void) => tasks.run('saliency', taskOf(r), onProgress);
      // A map takes seconds to minutes: it is a job the UI follows (by the id it gave) and the Jobs panel lists.
      return jobs === undefined ? explain(() => undefined) : jobs.track('saliency', `Saliency (${r.method}) of caption ${r.captionId} on image ${r.imageId}`, explain, r.requestId);
    },
    'saliency.png': (r) => tasks.run('saliencyPng', { ...taskOf(r), opacity: r.opacity }),
  };
}
