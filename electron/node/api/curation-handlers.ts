import type { ApiMethod } from '../../common/api.ts';
import { VERDICTS, type CurationChange, type PairKey, type Verdict } from '../../common/curation.ts';
import { OocError } from '../../common/errors.ts';
import { applyCuration, createCollection, deleteCollection, listCollections, listTags, pairCuration, undoCuration, undoLabel } from '../store/curation.ts';
import type { Db } from '../store/db.ts';
import { fileFor, matchingCaptionIds } from '../store/pairs.ts';
import type { Handlers } from './handlers.ts';
import { pairQuery } from './handlers.ts';
import { defined, fields, integer, text, type Fields } from './validate.ts';

type CurationMethods = Extract<ApiMethod, `curation.${string}` | `collections.${string}` | 'tags.list'>;

const MAX_LISTED = 10_000;

function strings(f: Fields, key: string): string[] | undefined {
  const v = f[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length > 100 || !v.every((x) => typeof x === 'string')) throw new OocError('BAD_ARGUMENT', `"${key}" must be a list of at most 100 strings`);
  return v as string[];
}

function change(input: unknown): CurationChange {
  const f = fields(input);
  const verdict = f.verdict;
  if (verdict !== undefined && verdict !== null && !(typeof verdict === 'string' && (VERDICTS as readonly string[]).includes(verdict))) {
    throw new OocError('BAD_ARGUMENT', `"verdict" must be one of ${VERDICTS.join(', ')} or null, got ${JSON.stringify(verdict)}`);
  }
  if (f.note !== undefined && f.note !== null && typeof f.note !== 'string') throw new OocError('BAD_ARGUMENT', '"note" must be a string or null');
  return {
    ...(verdict === undefined ? {} : { verdict: verdict as Verdict | null }),
    ...(f.note === undefined ? {} : { note: f.note as string | null }),
    ...(defined({
      addTags: strings(f, 'addTags'),
      removeTags: strings(f, 'removeTags'),
      addToCollection: text(f, 'addToCollection', true),
      removeFromCollection: text(f, 'removeFromCollection', true),
    }) as Pick<CurationChange, 'addTags' | 'removeTags' | 'addToCollection' | 'removeFromCollection'>),
  };
}

/** The pairs an edit targets: listed caption ids (checked against the split file), or every match of a query. */
function targetKeys(db: Db, input: unknown): PairKey[] {
  const f = fields(input);
  if (f.query !== undefined) {
    const query = pairQuery(f.query);
    return matchingCaptionIds(db, query).map((captionId) => ({ split: query.split, subset: query.subset, captionId }));
  }
  const split = text(f, 'split');
  const subset = text(f, 'subset');
  const ids = f.captionIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_LISTED || !ids.every((x) => typeof x === 'number' && Number.isSafeInteger(x))) {
    throw new OocError('BAD_ARGUMENT', `"captionIds" must list 1 to ${MAX_LISTED} caption ids (or give a "query" for every matching pair)`);
  }
  const file = fileFor(db, split, subset);
  const known = db.prepare('SELECT 1 FROM pairs WHERE file_id = ? AND caption_id = ?').pluck();
  const unknown = (ids as number[]).filter((id) => known.get(file.file_id, id) === undefined);
  if (unknown.length > 0) throw new OocError('NOT_FOUND', `no pair in ${split}/${subset} has caption ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}`);
  return (ids as number[]).map((captionId) => ({ split, subset, captionId }));
}

/** The curation calls: verdicts, notes, tags, collections and undo. */
export function curationHandlers(db: Db): Pick<Handlers, CurationMethods> {
  return {
    'curation.get': (input) => {
      const f = fields(input);
      return { ...pairCuration(db, { split: text(f, 'split'), subset: text(f, 'subset'), captionId: integer(f, 'captionId') }), undo: undoLabel(db) };
    },
    'curation.apply': (input) => {
      const f = fields(input);
      const keys = targetKeys(db, f.target);
      if (keys.length === 0) throw new OocError('BAD_ARGUMENT', 'no pair matches: nothing was changed');
      return applyCuration(db, keys, change(f.change));
    },
    'curation.undo': () => undoCuration(db),
    'curation.undoState': () => ({ undo: undoLabel(db) }),
    'collections.list': () => ({ collections: listCollections(db) }),
    'collections.create': (input) => createCollection(db, text(fields(input), 'name')),
    'collections.delete': (input) => {
      deleteCollection(db, text(fields(input), 'name'));
      return { collections: listCollections(db) };
    },
    'tags.list': () => ({ tags: listTags(db) }),
  };
}
