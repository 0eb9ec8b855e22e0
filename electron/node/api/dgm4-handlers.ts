import path from 'node:path';
import type { ApiMethod } from '../../common/api.ts';
import { DGM4_CURATION, DGM4_VERDICT_NAMES, type Dgm4Detail } from '../../common/dgm4.ts';
import { OocError } from '../../common/errors.ts';
import { dgm4Json } from '../dgm4/export-dgm4.ts';
import { compareDgm4Runs } from '../dgm4/runs.ts';
import { deleteDgm4Run, listDgm4Runs } from '../store/dgm4-runs.ts';
import type { Db } from '../store/db.ts';
import type { JobCenter } from '../jobs/job-center.ts';
import type { TaskRunner } from '../jobs/tasks.ts';
import { dgm4IdsIn, dgm4Page, dgm4SelectionIds, getDgm4Sample } from '../store/dgm4.ts';
import { applyCuration, pairCuration, undoLabel } from '../store/curation.ts';
import { getItem } from '../store/items.ts';
import type { Implementations } from './handlers.ts';

type Dgm4Methods = 'dgm4.page' | 'dgm4.sample' | 'dgm4.export' | 'dgm4.runs' | 'dgm4.import' | 'dgm4.deleteRun' | 'dgm4.evaluate' | 'dgm4.grounding' | 'dgm4.curation' | 'dgm4.curate';

/** Browsing DGM4's samples (the Manipulations view) and evaluating detectors on them; indexing them is a job (job-handlers.ts). */
export function dgm4Handlers(db: Db, tasks: TaskRunner, jobs: JobCenter | undefined): Implementations<Extract<ApiMethod, Dgm4Methods>> {
  return {
    'dgm4.page': (query) => dgm4Page(db, query),
    'dgm4.runs': () => ({ runs: listDgm4Runs(db) }),
    'dgm4.import': (request) => {
      if (jobs === undefined) throw new OocError('BAD_ARGUMENT', 'imports cannot run from here; use `ooc dgm4-predictions import`');
      for (const file of [request.file, request.tokenizer]) if (file !== undefined && !path.isAbsolute(file)) throw new OocError('BAD_ARGUMENT', `give files as full paths, got "${file}"`);
      return jobs.start('import-dgm4-run', request);
    },
    'dgm4.deleteRun': ({ name }) => {
      deleteDgm4Run(db, name);
      return { runs: listDgm4Runs(db) };
    },
    'dgm4.evaluate': ({ runs }) => compareDgm4Runs(db, runs),
    'dgm4.curation': ({ split, id }) => {
      if (dgm4IdsIn(db, split, [id]).size === 0) throw new OocError('NOT_FOUND', `DGM4 ${split} has no sample ${id}`);
      return { ...pairCuration(db, { split: DGM4_CURATION, subset: split, captionId: id }), undo: undoLabel(db) };
    },
    'dgm4.curate': ({ target, change }) => {
      const split = 'ids' in target ? target.split : target.selection.split;
      const ids = 'ids' in target ? target.ids : dgm4SelectionIds(db, target.selection);
      const found = dgm4IdsIn(db, split, ids);
      const unknown = ids.filter((id) => !found.has(id));
      if (unknown.length > 0) throw new OocError('NOT_FOUND', `DGM4 ${split} has no sample ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}`);
      if (ids.length === 0) throw new OocError('BAD_ARGUMENT', 'no sample matches: nothing was changed');
      return applyCuration(db, ids.map((captionId) => ({ split: DGM4_CURATION, subset: split, captionId })), change, { noun: 'DGM4 sample', verdictNames: DGM4_VERDICT_NAMES });
    },
    'dgm4.grounding': ({ requestId, model, ...options }) => {
      const work = (onProgress: (p: { done: number; total: number }) => void) => tasks.run('grounding', { ...options, ...(model === undefined ? {} : { model }) }, onProgress);
      // Minutes with a real model: a job the UI follows and the Jobs panel lists.
      return jobs === undefined ? work(() => undefined) : jobs.track('saliency', `Saliency against DGM4 ${options.split} (${options.methods.join(', ')})`, work, requestId);
    },
    'dgm4.export': (selection) => ({ ...dgm4Json(db, selection), filename: `dgm4-${selection.split}${selection.cls ? `-${selection.cls.replace(/&/g, '+')}` : ''}.json` }),
    'dgm4.sample': ({ split, position }): Dgm4Detail => {
      const sample = getDgm4Sample(db, split, position);
      if (sample === undefined) throw new OocError('NOT_FOUND', `DGM4 ${split} has no sample at row ${position}`);
      const item = sample.inVisualNews ? getItem(db, sample.id) : undefined;
      return { sample, original: item === undefined ? null : { itemId: item.id, caption: item.caption, source: item.source, topic: item.topic, hasImage: item.image_path !== null } };
    },
  };
}
