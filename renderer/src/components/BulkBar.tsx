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
}

/** Edits the marked pairs, or every pair the current filters match, and undoes the last edit (Ctrl+Z). */
export function BulkBar({ total, marked, onClearMarks, undo, onApply, onUndo, onExport }: BulkBarProps) {
  const [verdict, setVerdict] = useState('');
  const [tag, setTag] = useState('');
  const [collection, setCollection] = useState('');
  const pairs = marked > 0 ? marked : total;
  const count = pairs === null ? '…' : countOf(pairs, 'pair');
  // A change to more than one pair is confirmed, naming how many; choosing in a control never applies it.
  const apply = (what: string, change: CurationChange): boolean => {
    if (pairs === null || pairs === 0) return false;
    if (pairs > 1 && !window.confirm(`${what} on ${count}${marked > 0 ? ' (the marked ones)' : ' (every pair the filters match)'}?`)) return false;
    onApply(change);
    return true;
  };
  const verdictAction = verdict === '' ? 'Set verdict' : verdict === 'clear' ? 'Clear the verdict' : `Set "${VERDICT_NAMES[verdict as Verdict]}"`;
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Edit several pairs">
      {marked > 0 ? (
        <span className="small">
          {formatNumber(marked)} marked: <button className="link" onClick={onClearMarks}>clear marks</button>
        </span>
      ) : (
        <span className="muted small">All {count} matching:</span>
      )}
      <select aria-label="Verdict for several pairs" value={verdict} onChange={(e) => setVerdict(e.target.value)}>
        <option value="">verdict…</option>
        {VERDICTS.map((v) => (
          <option key={v} value={v}>{VERDICT_NAMES[v]}</option>
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
      <button className="export" onClick={onExport}>Export…</button>
      <button className="undo" disabled={undo === null} title={undo === null ? 'Nothing to undo' : `Undo: ${undo} (Ctrl+Z)`} onClick={onUndo}>
        {undo === null ? 'Nothing to undo' : `Undo: ${undo}`}
      </button>
    </div>
  );
}
