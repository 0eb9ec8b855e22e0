import * as v from 'valibot';
import { VERDICTS, type Verdict } from './curation.ts';
import type { ApiMethod } from './api.ts';
import type { PairSort } from './pairs.ts';
import { PAIR_FILTERS, PAIR_SORTS, URL_NAMES, type PairFilters, type PairQuery } from './schemas.ts';

// What the workbench shows, as its URL says it: read by the renderer, and by the server for the
// first screen's answers, which it sends with the page (first-screen.ts).

/** The part of URLSearchParams used here: a global both in browsers and in Node (common has neither's types). */
declare const URLSearchParams: new (init?: string) => { get(name: string): string | null; set(name: string, value: string): void; toString(): string };

/** Everything that defines what the user is looking at; kept in the URL so back/forward and links work. */
export interface ViewState extends PairFilters {
  view: 'overview' | 'pairs' | 'items' | 'candidates' | 'investigate' | 'manipulations' | 'evaluation' | 'dataset' | 'models' | 'jobs';
  split: string;
  subset: string;
  sort: PairSort;
  /** How the pairs are laid out. */
  layout: 'list' | 'grid' | 'compact';
  /** The selected pair. */
  pair?: number;
  /** Whether the selected pair's detail is open. */
  open: boolean;
  /** The Items view: the item shown, and the search across every caption. */
  item?: number;
  find?: string;
  /** The Candidates view: the caption (its item id) whose out-of-context candidates are shown. */
  caption?: number;
  /** … or a caption typed in (not in the corpus). */
  ctext?: string;
  /** The Investigate view: the case open. */
  case?: number;
  /** The Manipulations view (DGM4): its split, filters, first row shown and the sample open (its row). */
  dsplit?: string;
  dcls?: string;
  dkind?: 'single' | 'mixed' | 'image' | 'text';
  dsource?: string;
  dlinked?: boolean;
  dq?: string;
  dverdict?: Verdict | 'none';
  doffset?: number;
  sample?: number;
}

/** A change to the view: a key set to undefined is cleared. */
export type ViewUpdate = { [K in keyof ViewState]?: ViewState[K] | undefined };
export type UpdateView = (next: ViewUpdate, mode?: 'push' | 'replace') => void;

const DEFAULTS: ViewState = { view: 'pairs', split: 'merged_balanced', subset: 'test', sort: 'file', layout: 'list', open: false };
const LAYOUTS: readonly ViewState['layout'][] = ['list', 'grid', 'compact'];
const VIEWS: readonly ViewState['view'][] = ['overview', 'pairs', 'items', 'candidates', 'investigate', 'manipulations', 'evaluation', 'dataset', 'models', 'jobs'];
const DGM4_KINDS: readonly NonNullable<ViewState['dkind']>[] = ['single', 'mixed', 'image', 'text'];
const FILTER_KEYS = Object.keys(PAIR_FILTERS) as (keyof PairFilters)[];
/** Clears every pair filter (a view update). */
export const NO_FILTERS: ViewUpdate = Object.fromEntries(FILTER_KEYS.map((key) => [key, undefined]));
const urlName = (key: keyof PairFilters): string => URL_NAMES[key] ?? key;

function num(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** A filter's value from its URL text, as its schema accepts it (a number where it takes one), or undefined. */
function decodeFilter(key: keyof PairFilters, raw: string): unknown {
  for (const candidate of [raw, num(raw)]) {
    const parsed = v.safeParse(PAIR_FILTERS[key], candidate);
    if (parsed.success && parsed.output !== undefined) return parsed.output;
  }
  return undefined;
}

export function parseViewState(search: string): ViewState {
  const p = new URLSearchParams(search);
  const sort = p.get('sort') as PairSort | null;
  const state: ViewState = {
    view: VIEWS.find((view) => view === p.get('view')) ?? 'pairs',
    split: p.get('split') ?? DEFAULTS.split,
    subset: p.get('subset') ?? DEFAULTS.subset,
    sort: sort !== null && PAIR_SORTS.includes(sort) ? sort : 'file',
    layout: LAYOUTS.find((l) => l === p.get('layout')) ?? DEFAULTS.layout,
    open: p.get('open') === '1',
  };
  for (const key of FILTER_KEYS) {
    const raw = p.get(urlName(key));
    const value = raw === null ? undefined : decodeFilter(key, raw);
    if (value !== undefined) (state as unknown as Record<string, unknown>)[key] = value;
  }
  const pair = num(p.get('pair'));
  if (pair !== undefined) state.pair = pair;
  const item = num(p.get('item'));
  if (item !== undefined) state.item = item;
  const find = p.get('find');
  if (find) state.find = find;
  const caption = num(p.get('caption'));
  if (caption !== undefined && Number.isSafeInteger(caption)) state.caption = caption;
  const opened = num(p.get('case'));
  if (opened !== undefined) state.case = opened;
  for (const key of ['dsplit', 'dcls', 'dsource', 'dq', 'ctext'] as const) {
    const value = p.get(key);
    if (value) state[key] = value;
  }
  const verdict = [...VERDICTS, 'none' as const].find((x) => x === p.get('dverdict'));
  if (verdict !== undefined) state.dverdict = verdict;
  const kind = DGM4_KINDS.find((k) => k === p.get('dkind'));
  if (kind !== undefined) state.dkind = kind;
  if (p.get('dlinked') === '1' || p.get('dlinked') === '0') state.dlinked = p.get('dlinked') === '1';
  for (const key of ['doffset', 'sample'] as const) {
    const value = num(p.get(key));
    if (value !== undefined && Number.isSafeInteger(value) && value >= 0) state[key] = value;
  }
  return state;
}

export function formatViewState(s: ViewState): string {
  const p = new URLSearchParams();
  if (s.view !== 'pairs') p.set('view', s.view);
  p.set('split', s.split);
  p.set('subset', s.subset);
  for (const key of FILTER_KEYS) if (s[key] !== undefined) p.set(urlName(key), String(s[key]));
  if (s.sort !== 'file') p.set('sort', s.sort);
  if (s.layout !== DEFAULTS.layout) p.set('layout', s.layout);
  if (s.pair !== undefined) p.set('pair', String(s.pair));
  if (s.open) p.set('open', '1');
  if (s.item !== undefined) p.set('item', String(s.item));
  if (s.find !== undefined) p.set('find', s.find);
  if (s.caption !== undefined) p.set('caption', String(s.caption));
  if (s.case !== undefined) p.set('case', String(s.case));
  for (const key of ['ctext', 'dsplit', 'dcls', 'dkind', 'dsource', 'dq', 'dverdict', 'doffset', 'sample'] as const) if (s[key] !== undefined) p.set(key, String(s[key]));
  if (s.dlinked !== undefined) p.set('dlinked', s.dlinked ? '1' : '0');
  return `?${p.toString()}`;
}

/** The pair query the view asks for: its split file, sort and filters. */
export function queryOf(s: ViewState): PairQuery {
  const query: PairQuery = { split: s.split, subset: s.subset, sort: s.sort };
  for (const key of FILTER_KEYS) if (s[key] !== undefined) (query as Record<string, unknown>)[key] = s[key];
  return query;
}

/** Pairs per page of the pair browser. */
export const PAGE = 100;

/** The first page's input for a query: built here, as it is asked for ahead (boot.ts) and by the browser. */
export const pageQuery = (query: PairQuery): PairQuery & { limit: number } => ({ ...query, limit: PAGE });

/** The sidebar's input for a query: the same filters, any sort. */
export function facetsQuery(query: PairQuery): PairQuery {
  const filters = { ...query };
  delete filters.sort;
  return filters;
}


/**
 * An answer the server sends with the page (in browser mode), for a call the first screen makes:
 * the method, its input as JSON text (as the renderer would send it) and the answer's value.
 */
export interface FirstScreenAnswer {
  method: ApiMethod;
  input: string;
  value: unknown;
}

/** The id of the page's JSON block holding the first screen's answers. */
export const FIRST_SCREEN_ID = 'ooc-first-screen';
