import { useEffect, useRef, useState } from 'react';
import type { SplitInfo } from '../../../electron/common/api.ts';
import { countOf } from '../format.ts';
import type { UpdateView, ViewState } from '../state/view-state.ts';

export interface FilterBarProps {
  state: ViewState;
  splits: SplitInfo[];
  subsets: string[];
  /** Sets of embeddings that have scored the pairs (ooc scores). */
  scoreModels: string[];
  randomModels: string[];
  total: number | null;
  onChange: UpdateView;
  /** Filters set in the sidebar, which a narrow window hides while a pair's detail is open. */
  sidebarFilters: number;
  searchRef: React.RefObject<HTMLInputElement | null>;
}

/** Which score the range and sort use: the files' similarity_score, or a model's caption–image or caption–caption cosine. */
function scoreChoice(state: ViewState): string {
  return state.scoreModel === undefined ? '' : `${state.scoreMeasure ?? 'text-image'}|${state.scoreModel}`;
}

const LAYOUTS: { value: ViewState['layout']; name: string; title: string }[] = [
  { value: 'list', name: 'List', title: 'Rows with both images, scores and the caption' },
  { value: 'grid', name: 'Grid', title: 'Thumbnails, many pairs a screen' },
  { value: 'compact', name: 'Compact', title: 'One line a pair' },
];

/** Split, subset, search, score and sort, and the layout, for the pair browser (the other filters are in the sidebar). */
export function FilterBar({ state, splits, subsets, scoreModels, randomModels, total, onChange, sidebarFilters, searchRef }: FilterBarProps) {
  // The box holds what is typed itself (it is not a controlled input): no render ever writes its
  // text, so a render made with an older text cannot undo a keystroke. Only a search changed from
  // outside (Back/Forward, a link) is written into it, below.
  const [initial] = useState(state.q ?? '');
  // The first keystroke after a pause is searched at once; those that follow within 30 ms (fast
  // typing, a paste) are searched together, the latest text once they stop.
  const quiet = useRef<number | undefined>(undefined);
  const waiting = useRef<string | null>(null);
  // The searches this box has committed to the view that the view has not shown yet, oldest
  // first. A view state may show one of them after later ones were committed (renders lag behind
  // typing): that is ours, not a change from outside, and the box keeps what was typed since. Only
  // a search that is none of them (Back/Forward, a link) is written into the box.
  const committed = useRef([initial]);
  useEffect(() => {
    const shown = state.q ?? '';
    const ours = committed.current.indexOf(shown);
    if (ours >= 0) {
      committed.current.splice(0, ours);
      return;
    }
    committed.current = [shown];
    waiting.current = null;
    if (searchRef.current) searchRef.current.value = shown;
  }, [state.q, searchRef]);
  useEffect(() => () => window.clearTimeout(quiet.current), []);
  const reset = { pair: undefined, open: false };
  const search = (text: string): void => {
    if (quiet.current !== undefined) {
      waiting.current = text;
      return;
    }
    committed.current.push(text.trim());
    onChange({ q: text.trim() || undefined, ...reset }, 'replace');
    quiet.current = window.setTimeout(() => {
      quiet.current = undefined;
      const latest = waiting.current;
      waiting.current = null;
      if (latest !== null) search(latest);
    }, 30);
  };
  return (
    <div className="filter-bar" role="search">
      <label>
        Split
        <select aria-label="Split" value={state.split} onChange={(e) => onChange({ split: e.target.value, sourceDataset: undefined, ...reset })}>
          {splits.map((s) => (
            <option key={s.folder} value={s.folder}>{s.name}</option>
          ))}
        </select>
      </label>
      <label>
        Subset
        <select aria-label="Subset" value={state.subset} onChange={(e) => onChange({ subset: e.target.value, ...reset })}>
          {subsets.map((s) => (
            <option key={s} value={s}>{s}</option>
          ))}
        </select>
      </label>
      <label className="grow">
        Search
        <input
          ref={searchRef}
          type="search"
          aria-label="Search captions"
          placeholder="Search captions  ( / )"
          defaultValue={initial}
          onKeyDown={(e) => {
            // Esc leaves the box and keeps the query (a search input would clear itself).
            if (e.key === 'Escape') {
              e.preventDefault();
              e.currentTarget.blur();
            }
          }}
          onChange={(e) => search(e.target.value)}
        />
      </label>
      <label title="The score that the range and the sort use">
        Score by
        <select
          aria-label="Score by"
          value={scoreChoice(state)}
          onChange={(e) => {
            const [measure, ...name] = e.target.value.split('|');
            onChange({ scoreModel: name.join('|') || undefined, scoreMeasure: measure === 'text-text' ? 'text-text' : undefined, minScore: undefined, maxScore: undefined, ...reset });
          }}
        >
          <option value="">file similarity</option>
          {scoreModels.flatMap((name) => {
            const note = randomModels.includes(name) ? ' (random weights: meaningless)' : '';
            return [
              <option key={`i${name}`} value={`text-image|${name}`}>{name}: caption–image{note}</option>,
              <option key={`t${name}`} value={`text-text|${name}`}>{name}: caption–caption{note}</option>,
            ];
          })}
        </select>
      </label>
      <label>
        Sort
        <select aria-label="Sort" value={state.sort} onChange={(e) => onChange({ sort: e.target.value as ViewState['sort'], ...reset })}>
          <option value="file">file order</option>
          <option value="score-desc">score, high first</option>
          <option value="score-asc">score, low first</option>
        </select>
      </label>
      <div className="segmented" role="group" aria-label="Layout">
        {LAYOUTS.map((l) => (
          <button key={l.value} type="button" aria-pressed={state.layout === l.value} title={l.title} onClick={() => onChange({ layout: l.value })}>
            {l.name}
          </button>
        ))}
      </div>
      <button type="button" className="show-filters" title="Close the pair detail to show the filters" onClick={() => onChange({ open: false })}>
        Filters{sidebarFilters > 0 ? ` (${sidebarFilters} set)` : ''}
      </button>
      <output className="total" aria-live="polite" data-testid="pair-total">
        {total === null ? '…' : countOf(total, 'pair')}
      </output>
    </div>
  );
}
