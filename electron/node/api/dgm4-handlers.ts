import type { ApiMethod } from '../../common/api.ts';
import type { Dgm4Detail } from '../../common/dgm4.ts';
import { OocError } from '../../common/errors.ts';
import { dgm4Json } from '../dgm4/export-dgm4.ts';
import type { Db } from '../store/db.ts';
import { dgm4Page, getDgm4Sample } from '../store/dgm4.ts';
import { getItem } from '../store/items.ts';
import type { Implementations } from './handlers.ts';

type Dgm4Methods = 'dgm4.page' | 'dgm4.sample' | 'dgm4.export';

/** Browsing DGM4's samples (the Manipulations view); indexing them is a job (job-handlers.ts). */
export function dgm4Handlers(db: Db): Implementations<Extract<ApiMethod, Dgm4Methods>> {
  return {
    'dgm4.page': (query) => dgm4Page(db, query),
    'dgm4.export': (selection) => ({ ...dgm4Json(db, selection), filename: `dgm4-${selection.split}${selection.cls ? `-${selection.cls.replace(/&/g, '+')}` : ''}.json` }),
    'dgm4.sample': ({ split, position }): Dgm4Detail => {
      const sample = getDgm4Sample(db, split, position);
      if (sample === undefined) throw new OocError('NOT_FOUND', `DGM4 ${split} has no sample at row ${position}`);
      const item = sample.inVisualNews ? getItem(db, sample.id) : undefined;
      return { sample, original: item === undefined ? null : { itemId: item.id, caption: item.caption, source: item.source, topic: item.topic, hasImage: item.image_path !== null } };
    },
  };
}
