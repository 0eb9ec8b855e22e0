import type { ApiMethod } from '../../common/api.ts';
import type { PairKey } from '../../common/curation.ts';
import { OocError } from '../../common/errors.ts';
import type { CurationTarget } from '../../common/schemas.ts';
import { applyCuration, createCollection, deleteCollection, listCollections, listTags, pairCuration, undoCuration, undoLabel } from '../store/curation.ts';
import type { Db } from '../store/db.ts';
import { fileFor, hasPair, matchingCaptionIds } from '../store/pairs.ts';
import type { Implementations } from './handlers.ts';

type CurationMethods = Extract<ApiMethod, `curation.${string}` | `collections.${string}` | 'tags.list'>;

/** The pairs an edit targets: listed caption ids (checked against the split file), or every match of a query. */
function targetKeys(db: Db, target: CurationTarget): PairKey[] {
  if ('query' in target) {
    const { query } = target;
    return matchingCaptionIds(db, query).map((captionId) => ({ split: query.split, subset: query.subset, captionId }));
  }
  const { split, subset, captionIds } = target;
  const file = fileFor(db, split, subset);
  const unknown = captionIds.filter((id) => !hasPair(db, file.file_id, id));
  if (unknown.length > 0) throw new OocError('NOT_FOUND', `no pair in ${split}/${subset} has caption ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}`);
  return captionIds.map((captionId) => ({ split, subset, captionId }));
}

/** The curation calls: verdicts, notes, tags, collections and undo. */
export function curationHandlers(db: Db): Implementations<CurationMethods> {
  return {
    'curation.get': (key) => ({ ...pairCuration(db, key), undo: undoLabel(db) }),
    'curation.apply': ({ target, change }) => {
      const keys = targetKeys(db, target);
      if (keys.length === 0) throw new OocError('BAD_ARGUMENT', 'no pair matches: nothing was changed');
      return applyCuration(db, keys, change);
    },
    'curation.undo': () => undoCuration(db),
    'curation.undoState': () => ({ undo: undoLabel(db) }),
    'collections.list': () => ({ collections: listCollections(db) }),
    'collections.create': ({ name }) => createCollection(db, name),
    'collections.delete': ({ name }) => {
      deleteCollection(db, name);
      return { collections: listCollections(db) };
    },
    'tags.list': () => ({ tags: listTags(db) }),
  };
}
