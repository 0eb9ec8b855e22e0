import { memo, useState } from 'react';
import type { Facet, FacetCount, PairFacets } from '../../../electron/common/pairs.ts';
import { FACETS } from '../../../electron/common/schemas.ts';
import { countOf, formatCount, VERDICT_NAMES } from '../format.ts';
import type { UpdateView, ViewState } from '../state/view-state.ts';
import { useLate } from '../state/late.ts';
import { ScoreHistogram } from './ScoreHistogram.tsx';

export interface FacetSidebarProps {
  state: ViewState;
  /** The counts under the current filters; null before the first answer. */
  facets: PairFacets | null;
  /** Whether the counts shown are for an earlier query (a newer one is on its way). */
  stale: boolean;
  /** Merged / Balanced: its sub-splits' names, by index. */
  subSplitNames: string[];
  onChange: UpdateView;
}

const SHOWN = 8;
const TITLES: Record<Facet, string> = { label: 'Label', source: 'Source', topic: 'Topic', sourceDataset: 'Sub-split', verdict: 'Verdict', tag: 'Tag', collection: 'Collection' };
const RESET = { pair: undefined, open: false };

function optionalNumber(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** The filter value a facet value sets (a sub-split is its index). */
const filterValue = (facet: Facet, value: string): string | number => (facet === 'sourceDataset' ? Number(value) : value);

function FacetGroup({ facet, values, selected, name, onChange }: { facet: Facet; values: FacetCount[]; selected: string | undefined; name: (value: string) => string; onChange: UpdateView }) {
  const [all, setAll] = useState(false);
  const peak = Math.max(1, ...values.map((v) => v.count));
  const shown = all ? values : values.slice(0, SHOWN);
  return (
    <section className="facet" role="group" aria-label={TITLES[facet]}>
      <h3>{TITLES[facet]}</h3>
      <ul>
        {shown.map(({ value, count }) => {
          const on = value === selected;
          return (
            <li key={value}>
              <button
                type="button"
                className={`facet-value${on ? ' on' : ''}${count === 0 ? ' zero' : ''} ${facet === 'label' ? value : ''}`}
                aria-pressed={on}
                aria-label={`${name(value)}, ${countOf(count, 'pair')}`}
                title={on ? 'Click to clear this filter' : `Only pairs with ${TITLES[facet].toLowerCase()} ${name(value)}`}
                onClick={() => onChange({ [facet]: on ? undefined : filterValue(facet, value), ...RESET })}
              >
                <span className="facet-bar" style={{ width: `${(100 * count) / peak}%` }} />
                <span className="facet-name">{name(value)}</span>
                <span className="facet-count">{formatCount(count)}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {values.length > SHOWN && (
        <button type="button" className="link small" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${values.length}`}
        </button>
      )}
    </section>
  );
}

/**
 * The faceted sidebar: each filter's values with the pairs each would give under the other
 * filters (from pairs.facets), a value clicked to filter and clicked again to clear; the score
 * histogram per label, brushed to set the score range; the prediction runs' outcomes ("A wrong,
 * B right", "every run wrong"); and the note filter.
 */
/** Memoised: a page of rows arriving (the same state and counts) does not render it again. */
export const FacetSidebar = memo(function FacetSidebar({ state, facets, stale, subSplitNames, onChange }: FacetSidebarProps) {
  const names: Record<Facet, (value: string) => string> = {
    label: (v) => v,
    source: (v) => v,
    topic: (v) => v,
    sourceDataset: (v) => subSplitNames[Number(v)] ?? v,
    verdict: (v) => (v === 'none' ? 'none yet' : (VERDICT_NAMES[v as keyof typeof VERDICT_NAMES] ?? v)),
    tag: (v) => v,
    collection: (v) => v,
  };
  const dim = useLate(stale);
  const textText = state.scoreModel !== undefined && state.scoreMeasure === 'text-text';
  const scoreKey = `${state.scoreModel ?? ''}|${state.scoreMeasure ?? ''}|${state.label ?? ''}`;
  return (
    <aside className={`facets${dim ? ' stale' : ''}`} aria-label="Filters" aria-busy={stale}>
      {facets === null ? (
        <p className="muted small">Counting…</p>
      ) : (
        FACETS.map((facet) => {
          const values = facets.facets[facet];
          if (values.length === 0 || (facet === 'sourceDataset' && subSplitNames.length === 0)) return null;
          const selected = state[facet] === undefined ? undefined : String(state[facet]);
          return <FacetGroup key={facet} facet={facet} values={values} selected={selected} name={names[facet]} onChange={onChange} />;
        })
      )}
      <section className="facet" role="group" aria-label="Score">
        <h3 title={textText ? "Cosine of the caption with the falsified image's own caption" : 'The range applies to the falsified image, or to the pristine one when Label is pristine'}>
          {facets?.histogram?.score ?? 'Score'}
        </h3>
        {facets?.histogram && (
          <ScoreHistogram
            histogram={facets.histogram}
            active={textText ? 'caption–caption' : (state.label ?? 'falsified')}
            min={state.minScore}
            max={state.maxScore}
            onBrush={(series, range) => onChange({ minScore: range?.min, maxScore: range?.max, ...(series === 'caption–caption' ? {} : { label: series === 'pristine' ? 'pristine' : state.label === 'pristine' ? undefined : state.label }), ...RESET })}
          />
        )}
        <span className="range">
          <input key={`min${scoreKey}${state.minScore ?? ''}`} aria-label="Minimum score" type="number" step="0.05" min="-1" max="1" placeholder="min" defaultValue={state.minScore ?? ''} onBlur={(e) => onChange({ minScore: optionalNumber(e.target.value), ...RESET })} onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()} />
          <span className="muted">to</span>
          <input key={`max${scoreKey}${state.maxScore ?? ''}`} aria-label="Maximum score" type="number" step="0.05" min="-1" max="1" placeholder="max" defaultValue={state.maxScore ?? ''} onBlur={(e) => onChange({ maxScore: optionalNumber(e.target.value), ...RESET })} onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()} />
        </span>
      </section>
      {facets !== null && facets.runs.length > 0 && (
        <section className="facet outcome" role="group" aria-label="Predictions">
          <h3 title="Pairs by how the prediction runs of this split did on them (the rows shown: both, or the label's)">Predictions</h3>
          <label>
            wrong
            <select aria-label="Run wrong on the pair" value={state.wrong ?? ''} onChange={(e) => onChange({ wrong: e.target.value || undefined, ...RESET })}>
              <option value="">—</option>
              {facets.runs.map((run) => <option key={run} value={run}>{run}</option>)}
              {facets.runs.length > 1 && <option value="*">every run</option>}
            </select>
          </label>
          <label>
            right
            <select aria-label="Run right on the pair" value={state.right ?? ''} onChange={(e) => onChange({ right: e.target.value || undefined, ...RESET })}>
              <option value="">—</option>
              {facets.runs.map((run) => <option key={run} value={run}>{run}</option>)}
            </select>
          </label>
        </section>
      )}
      <section className="facet" role="group" aria-label="Notes">
        <h3>Notes</h3>
        <label className="check" title="Pairs with a note; words narrow it to notes containing them">
          <input type="checkbox" aria-label="Only pairs with a note" checked={state.note !== undefined} onChange={(e) => onChange({ note: e.target.checked ? '' : undefined, ...RESET })} />
          with a note
        </label>
        {state.note !== undefined && (
          <input key="note" className="note-filter" aria-label="Note contains" placeholder="note contains…" defaultValue={state.note} onBlur={(e) => onChange({ note: e.target.value.trim(), ...RESET })} onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()} />
        )}
      </section>
    </aside>
  );
});
