import type { ApiMethod } from '../../common/api.ts';
import { OocError } from '../../common/errors.ts';
import { createCase, getCase, listCases, pinEvidence, removeCaseImage, unpinEvidence, updateCase } from '../store/cases.ts';
import { hashCounts } from '../store/image-hashes.ts';
import type { TaskRunner } from '../jobs/tasks.ts';
import { addImageToCase, casePreview, deleteCaseAndImages, dropUnusedImage, reportOfCase } from '../vetting/case-files.ts';
import type { ApiContext, Implementations } from './handlers.ts';
import { saliencyOptions } from './saliency-handlers.ts';

type VettingMethods = Extract<ApiMethod, `hashes.${string}` | `cases.${string}`>;

/** Vetting new images: the corpus's hashes (a job), and investigation cases with their evidence. */
export function vettingHandlers(ctx: ApiContext, tasks: TaskRunner): Implementations<VettingMethods> {
  const { db } = ctx;
  const jobs = () => {
    if (ctx.jobs === undefined) throw new OocError('BAD_ARGUMENT', 'jobs cannot run from here; use the command line');
    return ctx.jobs;
  };
  return {
    'hashes.start': ({ retryFailed }) => jobs().start('hash-images', { retryFailed }),
    'hashes.status': () => ({ ...(ctx.jobs?.latest('hash-images') ?? { state: 'idle', progress: null, summary: null, error: null }), ...hashCounts(db) }),
    'cases.list': () => ({ cases: listCases(db) }),
    'cases.warm': () => tasks.run('vetWarm', {}),
    'cases.create': ({ title, claim }) => getCase(db, createCase(db, title.trim() === '' ? `Case of ${new Date().toISOString().slice(0, 10)}` : title.trim(), claim)),
    'cases.get': ({ caseId }) => getCase(db, caseId),
    'cases.update': ({ caseId, ...changes }) => {
      updateCase(db, caseId, changes);
      return getCase(db, caseId);
    },
    'cases.delete': ({ caseId }) => {
      deleteCaseAndImages(db, caseId);
      return { cases: listCases(db) };
    },
    'cases.addImage': ({ caseId, name, data }) => addImageToCase(db, caseId, { bytes: Buffer.from(data, 'base64'), name }),
    'cases.addUrl': ({ caseId, url }) => addImageToCase(db, caseId, { url }),
    'cases.removeImage': ({ caseId, sha256 }) => {
      removeCaseImage(db, caseId, sha256);
      dropUnusedImage(db, sha256);
      return getCase(db, caseId);
    },
    'cases.preview': async ({ sha256, size }) => ({ dataUrl: await casePreview(db, sha256, size) }),
    'cases.vet': ({ caseId, requestId, ...options }) => {
      const file = getCase(db, caseId);
      if (file.images.length === 0) throw new OocError('BAD_ARGUMENT', 'add an image to the case before vetting it');
      const work = (onProgress: (p: { done: number; total: number }) => void) => tasks.run('vetCase', { caseId, ...options }, onProgress);
      return ctx.jobs === undefined ? work(() => undefined) : ctx.jobs.track('vet', `Vet "${file.title}"`, work, requestId);
    },
    'cases.report': ({ caseId }) => reportOfCase(db, caseId, `OOC Workbench ${ctx.version}`),
    'cases.pin': ({ caseId, target, label }) => {
      pinEvidence(db, caseId, target, label);
      return getCase(db, caseId);
    },
    'cases.unpin': ({ caseId, pinId }) => {
      unpinEvidence(db, caseId, pinId);
      return getCase(db, caseId);
    },
    'cases.explain': ({ caseId, sha256, requestId, ...options }) => {
      const explain = (onProgress: (p: { done: number; total: number }) => void) => tasks.run('caseSaliency', { caseId, sha256, ...saliencyOptions(options) }, onProgress);
      return ctx.jobs === undefined ? explain(() => undefined) : ctx.jobs.track('saliency', `Saliency (${options.method}) of case ${caseId}'s image ${sha256.slice(0, 12)}`, explain, requestId);
    },
    'cases.saliencyPng': ({ caseId, sha256, opacity, ...options }) => tasks.run('caseSaliencyPng', { caseId, sha256, opacity, ...saliencyOptions(options) }),
  };
}
