import { useEffect, useRef, useState } from 'react';
import type { SplitInfo } from '../../../electron/common/api.ts';
import { countOf, VERDICT_NAMES, VERDICTS } from '../format.ts';
import type { UpdateView, ViewState } from '../state/view-state.ts';

export interface FilterBarProps {
  state: ViewState;
  splits: SplitInfo[];
  subsets: string[];
  sources: string[];
  topics: string[];
  /** Merged / Balanced: the names of its sub-splits, by source_dataset index. */
  subSplits: string[];
  /** Sets of embeddings that have scored the pairs (ooc scores). */
  scoreModels: string[];
  randomModels: string[];
  tags: string[];
  collections: string[];
  total: number | null;
  onChange: UpdateView;
  searchRef: React.RefObject<HTMLInputElement | null>;
}

function optionalNumber(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Split, subset, search, filters and sort for the pair browser. */
/** Which score the range and sort use: the files' similarity_score, or a model's caption–image or caption–caption cosine. */
function scoreChoice(state: ViewState): string {
  return state.scoreModel === undefined ? '' : `${state.scoreMeasure ?? 'text-image'}|${state.scoreModel}`;
}

export function FilterBar({ state, splits, subsets, sources, topics, subSplits, scoreModels, randomModels, tags, collections, total, onChange, searchRef }: FilterBarProps) {
  const [query, setQuery] = useState(state.q ?? '');
  const typing = useRef<number | undefined>(undefined);
  // The search this box last committed to the view. The box is re-synced only when the view's
  // search changes from outside (Back/Forward, a link): copying our own commit back would
  // overwrite whatever was typed since, and keystrokes would be lost.
  const committed = useRef(state.q ?? '');
  useEffect(() => {
    const outside = state.q ?? '';
    if (outside === committed.current) return;
    committed.current = outside;
    window.clearTimeout(typing.current);
    setQuery(outside);
  }, [state.q]);
  useEffect(() => () => window.clearTimeout(typing.current), []);
  const reset = { pair: undefined, open: false };
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
          value={query}
          onKeyDown={(e) => {
            // Esc leaves the box and keeps the query (a search input would clear itself).
            if (e.key === 'Escape') {
              e.preventDefault();
              e.currentTarget.blur();
            }
          }}
          onChange={(e) => {
            const value = e.target.value;
            setQuery(value);
            window.clearTimeout(typing.current);
            typing.current = window.setTimeout(() => {
              committed.current = value.trim();
              onChange({ q: value.trim() || undefined, ...reset }, 'replace');
            }, 60);
          }}
        />
      </label>
      <label>
        Label
        <select aria-label="Label" value={state.label ?? ''} onChange={(e) => onChange({ label: (e.target.value || undefined) as ViewState['label'], ...reset })}>
          <option value="">both</option>
          <option value="pristine">pristine</option>
          <option value="falsified">falsified</option>
        </select>
      </label>
      <label>
        Source
        <select aria-label="Source" value={state.source ?? ''} onChange={(e) => onChange({ source: e.target.value || undefined, ...reset })}>
          <option value="">all</option>
          {sources.map((s) => (
            <option key={s} value={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Topic
        <select aria-label="Topic" value={state.topic ?? ''} onChange={(e) => onChange({ topic: e.target.value || undefined, ...reset })}>
          <option value="">all</option>
          {topics.map((t) => (
            <option key={t} value={t}>{t}</option>
          ))}
        </select>
      </label>
      {subSplits.length > 0 && (
        <label>
          Sub-split
          <select
            aria-label="Sub-split"
            value={state.sourceDataset ?? ''}
            onChange={(e) => onChange({ sourceDataset: e.target.value === '' ? undefined : Number(e.target.value), ...reset })}
          >
            <option value="">all</option>
            {subSplits.map((name, i) => (
              <option key={name} value={i}>{name}</option>
            ))}
          </select>
        </label>
      )}
      <label>
        Verdict
        <select aria-label="Verdict" value={state.verdict ?? ''} onChange={(e) => onChange({ verdict: (e.target.value || undefined) as ViewState['verdict'], ...reset })}>
          <option value="">any</option>
          <option value="none">none yet</option>
          {VERDICTS.map((v) => (
            <option key={v} value={v}>{VERDICT_NAMES[v]}</option>
          ))}
        </select>
      </label>
      {(tags.length > 0 || state.tag) && (
        <label>
          Tag
          <select aria-label="Tag" value={state.tag ?? ''} onChange={(e) => onChange({ tag: e.target.value || undefined, ...reset })}>
            <option value="">any</option>
            {[...new Set([...tags, ...(state.tag ? [state.tag] : [])])].map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
        </label>
      )}
      {(collections.length > 0 || state.collection) && (
        <label>
          Collection
          <select aria-label="Collection" value={state.collection ?? ''} onChange={(e) => onChange({ collection: e.target.value || undefined, ...reset })}>
            <option value="">any</option>
            {[...new Set([...collections, ...(state.collection ? [state.collection] : [])])].map((c) => (
              <option key={c} value={c}>{c}</option>
            ))}
          </select>
        </label>
      )}
      <span className="range" title="Pairs with a note; words narrow it to notes containing them">
        <label className="check">
          <input type="checkbox" aria-label="Only pairs with a note" checked={state.note !== undefined} onChange={(e) => onChange({ note: e.target.checked ? '' : undefined, ...reset })} />
          with a note
        </label>
        {state.note !== undefined && (
          <input key="note" aria-label="Note contains" placeholder="note contains…" defaultValue={state.note} onBlur={(e) => onChange({ note: e.target.value.trim(), ...reset })} onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()} />
        )}
      </span>
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
      <label title={state.scoreMeasure === 'text-text' ? "Cosine of the caption with the falsified image's own caption" : `Score of the ${state.label ?? 'falsified'} image`}>
        {state.scoreMeasure !== 'text-text' && state.label === 'pristine' ? 'Pristine score' : 'Score'}
        <span className="range">
          <input key={`min${scoreChoice(state)}`} aria-label="Minimum score" type="number" step="0.05" min="-1" max="1" placeholder="min" defaultValue={state.minScore ?? ''} onBlur={(e) => onChange({ minScore: optionalNumber(e.target.value), ...reset })} />
          <input key={`max${scoreChoice(state)}`} aria-label="Maximum score" type="number" step="0.05" min="-1" max="1" placeholder="max" defaultValue={state.maxScore ?? ''} onBlur={(e) => onChange({ maxScore: optionalNumber(e.target.value), ...reset })} />
        </span>
      </label>
      <label>
        Sort
        <select aria-label="Sort" value={state.sort} onChange={(e) => onChange({ sort: e.target.value as ViewState['sort'], ...reset })}>
          <option value="file">file order</option>
          <option value="score-desc">score, high first</option>
          <option value="score-asc">score, low first</option>
        </select>
      </label>
      <output className="total" aria-live="polite" data-testid="pair-total">
        {total === null ? '…' : countOf(total, 'pair')}
      </output>
    </div>
  );
}
