import { useCallback, useEffect, useState } from 'react';
import type { CurationChange, PairCuration } from '../../../electron/common/curation.ts';
import type { PairQuery, PairSummary } from '../../../electron/common/pairs.ts';
import { call, type ApiError } from '../api/client.ts';
import { describeError } from '../errors.ts';

export interface CurationOptions {
  /** The browser's current query: a bulk edit without marks applies to all it matches. */
  query: PairQuery;
  /** The pair whose detail is open, and the selected one (edited while its detail loads). */
  openPair: PairSummary | undefined;
  selected: PairSummary | undefined;
  /** The list is filtered by curation, so an edit can change which pairs it shows. */
  curationFiltered: boolean;
  /** A pair's record changed (patch its row); the list must be fetched again. */
  onPairChanged: (pairId: number, curation: PairCuration) => void;
  onListChanged: () => void;
  onError: (message: string) => void;
}

/**
 * The pair browser's curation state: the open pair's record, the tags and collections in use,
 * pairs marked for a joint edit, edits (one pair, the marked ones, or every match) and undo.
 */
export function useCuration({ query, openPair, selected, curationFiltered, onPairChanged, onListChanged, onError }: CurationOptions) {
  const [curation, setCuration] = useState<PairCuration | null>(null);
  const [lists, setLists] = useState<{ tags: string[]; collections: string[] }>({ tags: [], collections: [] });
  const [undo, setUndo] = useState<string | null>(null);
  /** Pairs marked for an edit on several at once, by pair id. */
  const [marked, setMarked] = useState<Map<number, PairSummary>>(new Map());
  const { split, subset } = query;

  const toggleMark = useCallback((pair: PairSummary) => {
    setMarked((current) => {
      const next = new Map(current);
      if (next.has(pair.pairId)) next.delete(pair.pairId);
      else next.set(pair.pairId, pair);
      return next;
    });
  }, []);
  const clearMarks = useCallback(() => setMarked(new Map()), []);
  // Marks never outlive the filters they were made under: an edit goes only to pairs in view.
  useEffect(clearMarks, [query, clearMarks]);

  const loadLists = useCallback(() => {
    void Promise.all([call('tags.list', {}), call('collections.list', {})]).then(([t, c]) => setLists({ tags: t.tags.map((x) => x.tag), collections: c.collections.map((x) => x.name) }));
  }, []);
  useEffect(loadLists, [loadLists]);
  useEffect(() => {
    call('curation.undoState', {}).then((r) => setUndo(r.undo), (err: ApiError) => onError(describeError(err)));
  }, [onError]);

  const refresh = useCallback(() => {
    if (!openPair) return setCuration(null);
    call('curation.get', { split: openPair.split, subset: openPair.subset, captionId: openPair.captionId }).then((c) => {
      setCuration(c);
      setUndo(c.undo);
      onPairChanged(openPair.pairId, c);
    }, (err: ApiError) => onError(describeError(err)));
  }, [openPair, onPairChanged, onError]);
  useEffect(refresh, [refresh]);

  /** One edit: on the open (or selected) pair, or (bulk) on the marked pairs or else every match. */
  const edit = useCallback(
    (change: CurationChange, bulk: boolean) => {
      const pair = openPair ?? selected;
      const many = [...marked.values()];
      const target = bulk
        ? many.length > 0
          ? { split, subset, captionIds: many.map((p) => p.captionId) }
          : { query }
        : pair
          ? { split: pair.split, subset: pair.subset, captionIds: [pair.captionId] }
          : null;
      if (target === null) return;
      call('curation.apply', { target, change }).then((r) => {
        setUndo(r.undo);
        if (bulk || curationFiltered) onListChanged();
        refresh();
        loadLists();
      }, (err: ApiError) => onError(describeError(err)));
    },
    [query, split, subset, openPair, selected, marked, curationFiltered, onListChanged, refresh, loadLists, onError],
  );

  const undoLast = useCallback(() => {
    call('curation.undo', {}).then((r) => {
      setUndo(r.undo);
      onListChanged();
      refresh();
      loadLists();
    }, (err: ApiError) => onError(describeError(err)));
  }, [onListChanged, refresh, loadLists, onError]);

  return { curation, lists, undo, marked, toggleMark, clearMarks, edit, undoLast };
}
