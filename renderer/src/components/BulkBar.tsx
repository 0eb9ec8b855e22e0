import { useState } from 'react';
import type { CurationChange, Verdict } from '../../../electron/common/curation.ts';
import { countOf, formatNumber, VERDICT_NAMES, VERDICTS } from '../format.ts';

export interface BulkBarProps {
  total: number | null;
  /** Pairs marked in the list: edits go to them when there are any, else to every match. */
  marked: number;
  onClearMarks: () => void;
  undo: string | null;
  onApply: (change: CurationChange) => void;
  onUndo: () => void;
  onExport: () => void;
  /** What the rows are ("pair", or "sample" for DGM4), their verdicts' names, whether collections hold them, and the export button. */
  noun?: string;
  verdictNames?: Record<Verdict, string>;
  collections?: boolean;
  exportLabel?: string;
  exportTitle?: string;
}

/** Edits the marked pairs, or every pair the current filters match, and undoes the last edit (Ctrl+Z). */
export function BulkBar({ total, marked, onClearMarks, undo, onApply, onUndo, onExport, noun = 'pair', verdictNames = VERDICT_NAMES, collections = true, exportLabel = 'Export…', exportTitle }: BulkBarProps) {
  const [verdict, setVerdict] = useState('');
  const [tag, setTag] = useState('');
  const [collection, setCollection] = useState('');
  const pairs = marked > 0 ? marked : total;
  const count = pairs === null ? '…' : countOf(pairs, noun);
  // A change to more than one pair is confirmed, naming how many; choosing in a control never applies it.
  const apply = (what: string, change: CurationChange): boolean => {
    if (pairs === null || pairs === 0) return false;
    if (pairs > 1 && !window.confirm(`${what} on ${count}${marked > 0 ? ' (the marked ones)' : ` (every ${noun} the filters match)`}?`)) return false;
    onApply(change);
    return true;
  };
  const verdictAction = verdict === '' ? 'Set verdict' : verdict === 'clear' ? 'Clear the verdict' : `Set "${verdictNames[verdict as Verdict]}"`;
  return (
    <div className="bulk-bar" role="toolbar" aria-label={`Edit several ${noun}s`}>
      {marked > 0 ? (
        <span className="small">
          {formatNumber(marked)} marked: <button className="link" onClick={onClearMarks}>clear marks</button>
        </span>
      ) : (
        <span className="muted small">All {count} matching:</span>
      )}
      <select aria-label={`Verdict for several ${noun}s`} value={verdict} onChange={(e) => setVerdict(e.target.value)}>
        <option value="">verdict…</option>
        {VERDICTS.map((v) => (
          <option key={v} value={v}>{verdictNames[v]}</option>
        ))}
        <option value="clear">clear verdict</option>
      </select>
      <button
        className="apply"
        disabled={verdict === '' || !pairs}
        onClick={() => apply(verdictAction, { verdict: verdict === 'clear' ? null : (verdict as Verdict) }) && setVerdict('')}
      >
        {verdict === 'clear' ? 'Clear verdict' : 'Set verdict'} on {count}
      </button>
      <input
        aria-label="Tag all"
        placeholder="tag all…"
        value={tag}
        onChange={(e) => setTag(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && tag.trim() !== '' && apply(`Tag "${tag.trim()}"`, { addTags: [tag] })) setTag('');
        }}
      />
      {collections && (
        <input
          aria-label="Add all to collection"
          list="collection-names"
          placeholder="add all to collection…"
          value={collection}
          onChange={(e) => setCollection(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && collection.trim() !== '' && apply(`Add to "${collection.trim()}"`, { addToCollection: collection })) setCollection('');
          }}
        />
      )}
      <button className="export" title={exportTitle} onClick={onExport}>{exportLabel}</button>
      <button className="undo" disabled={undo === null} title={undo === null ? 'Nothing to undo' : `Undo: ${undo} (Ctrl+Z)`} onClick={onUndo}>
        {undo === null ? 'Nothing to undo' : `Undo: ${undo}`}
      </button>
    </div>
  );
}
