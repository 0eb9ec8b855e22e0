import { useCallback, useEffect, useState } from 'react';
import { VERDICTS } from '../format.ts';
import type { PairFilters, PairSort } from '../../../electron/common/pairs.ts';

/** Everything that defines what the user is looking at; kept in the URL so back/forward and links work. */
export interface ViewState extends PairFilters {
  view: 'overview' | 'pairs' | 'dataset' | 'models';
  split: string;
  subset: string;
  sort: PairSort;
  /** The selected pair. */
  pair?: number;
  /** Whether the selected pair's detail is open. */
  open: boolean;
}

/** A change to the view: a key set to undefined is cleared. */
export type ViewUpdate = { [K in keyof ViewState]?: ViewState[K] | undefined };
export type UpdateView = (next: ViewUpdate, mode?: 'push' | 'replace') => void;

const DEFAULTS: ViewState = { view: 'pairs', split: 'merged_balanced', subset: 'test', sort: 'file', open: false };
const VIEWS: readonly ViewState['view'][] = ['overview', 'pairs', 'dataset', 'models'];
const SORTS: readonly PairSort[] = ['file', 'score-desc', 'score-asc'];

function num(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function parseViewState(search: string): ViewState {
  const p = new URLSearchParams(search);
  const sort = p.get('sort') as PairSort | null;
  const state: ViewState = {
    view: VIEWS.find((v) => v === p.get('view')) ?? 'pairs',
    split: p.get('split') ?? DEFAULTS.split,
    subset: p.get('subset') ?? DEFAULTS.subset,
    sort: sort !== null && SORTS.includes(sort) ? sort : 'file',
    open: p.get('open') === '1',
  };
  const q = p.get('q');
  if (q) state.q = q;
  const label = p.get('label');
  if (label === 'pristine' || label === 'falsified') state.label = label;
  const source = p.get('source');
  if (source) state.source = source;
  const topic = p.get('topic');
  if (topic) state.topic = topic;
  const sd = num(p.get('subsplit'));
  if (sd !== undefined) state.sourceDataset = sd;
  const min = num(p.get('min'));
  if (min !== undefined) state.minScore = min;
  const max = num(p.get('max'));
  if (max !== undefined) state.maxScore = max;
  const verdict = p.get('verdict');
  if (verdict === 'none' || (VERDICTS as readonly string[]).includes(verdict ?? '')) state.verdict = verdict as NonNullable<ViewState['verdict']>;
  const tag = p.get('tag');
  if (tag) state.tag = tag;
  const note = p.get('note');
  if (note !== null) state.note = note;
  const collection = p.get('collection');
  if (collection) state.collection = collection;
  const by = p.get('by');
  if (by) {
    state.scoreModel = by;
    if (p.get('measure') === 'text-text') state.scoreMeasure = 'text-text';
  }
  const pair = num(p.get('pair'));
  if (pair !== undefined) state.pair = pair;
  return state;
}

export function formatViewState(s: ViewState): string {
  const p = new URLSearchParams();
  if (s.view !== 'pairs') p.set('view', s.view);
  p.set('split', s.split);
  p.set('subset', s.subset);
  if (s.q) p.set('q', s.q);
  if (s.label) p.set('label', s.label);
  if (s.source) p.set('source', s.source);
  if (s.topic) p.set('topic', s.topic);
  if (s.sourceDataset !== undefined) p.set('subsplit', String(s.sourceDataset));
  if (s.minScore !== undefined) p.set('min', String(s.minScore));
  if (s.maxScore !== undefined) p.set('max', String(s.maxScore));
  if (s.verdict) p.set('verdict', s.verdict);
  if (s.tag) p.set('tag', s.tag);
  if (s.collection) p.set('collection', s.collection);
  if (s.note !== undefined) p.set('note', s.note);
  if (s.scoreModel) p.set('by', s.scoreModel);
  if (s.scoreModel && s.scoreMeasure === 'text-text') p.set('measure', 'text-text');
  if (s.sort !== 'file') p.set('sort', s.sort);
  if (s.pair !== undefined) p.set('pair', String(s.pair));
  if (s.open) p.set('open', '1');
  return `?${p.toString()}`;
}

/**
 * The view state and a setter. `push` adds a history entry (a new split, filter or opened pair);
 * `replace` does not (moving the selection with j/k, typing in the search box).
 */
export function useViewState(): [ViewState, UpdateView] {
  const [state, setState] = useState(() => parseViewState(window.location.search));
  useEffect(() => {
    const onPop = (): void => setState(parseViewState(window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const update = useCallback((next: ViewUpdate, mode: 'push' | 'replace' = 'push') => {
    setState((current) => {
      const merged = { ...current, ...next } as ViewState;
      for (const key of Object.keys(next) as (keyof ViewState)[]) if (next[key] === undefined) delete merged[key];
      const url = formatViewState(merged);
      if (url !== window.location.search) window.history[mode === 'push' ? 'pushState' : 'replaceState'](null, '', url);
      return merged;
    });
  }, []);
  return [state, update];
}
