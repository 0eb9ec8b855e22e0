import { useState } from 'react';
import type { CurationChange, Verdict } from '../../../electron/common/curation.ts';
import { VERDICT_NAMES, VERDICTS } from '../format.ts';

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
  const [tag, setTag] = useState('');
  const [collection, setCollection] = useState('');
  const count = marked > 0 ? marked.toLocaleString('en-US') : total === null ? '…' : total.toLocaleString('en-US');
  const confirmAll = (what: string): boolean => marked > 0 || (total ?? 0) <= 50 || window.confirm(`${what} on all ${count} matching pairs?`);
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Edit several pairs">
      {marked > 0 ? (
        <span className="small">
          {count} marked: <button className="link" onClick={onClearMarks}>clear marks</button>
        </span>
      ) : (
        <span className="muted small">All {count} matching:</span>
      )}
      <select
        aria-label="Set verdict on all"
        value=""
        onChange={(e) => {
          const v = e.target.value;
          if (v !== '' && confirmAll(v === 'clear' ? 'Clear the verdict' : `Set "${VERDICT_NAMES[v as Verdict]}"`)) onApply({ verdict: v === 'clear' ? null : (v as Verdict) });
        }}
      >
        <option value="">verdict…</option>
        {VERDICTS.map((v) => (
          <option key={v} value={v}>{VERDICT_NAMES[v]}</option>
        ))}
        <option value="clear">clear verdict</option>
      </select>
      <input
        aria-label="Tag all"
        placeholder="tag all…"
        value={tag}
        onChange={(e) => setTag(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && tag.trim() !== '' && confirmAll(`Tag "${tag}"`)) {
            onApply({ addTags: [tag] });
            setTag('');
          }
        }}
      />
      <input
        aria-label="Add all to collection"
        list="collection-names"
        placeholder="add all to collection…"
        value={collection}
        onChange={(e) => setCollection(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && collection.trim() !== '' && confirmAll(`Add to "${collection}"`)) {
            onApply({ addToCollection: collection });
            setCollection('');
          }
        }}
      />
      <button className="export" onClick={onExport}>Export…</button>
      <button className="undo" disabled={undo === null} title="Ctrl+Z" onClick={onUndo}>
        {undo === null ? 'Nothing to undo' : `Undo: ${undo}`}
      </button>
    </div>
  );
}
