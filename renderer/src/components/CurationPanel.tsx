import { useEffect, useState } from 'react';
import type { CurationChange, PairCuration, Verdict } from '../../../electron/common/curation.ts';
import { VERDICT_NAMES, VERDICTS } from '../format.ts';

export interface CurationPanelProps {
  curation: PairCuration;
  /** The collections to offer; null: none (DGM4 samples belong to none). */
  collections: string[] | null;
  onChange: (change: CurationChange) => void;
  tagInputRef?: React.RefObject<HTMLInputElement | null>;
  /** What each verdict is called here (a pair's by default). */
  names?: Record<Verdict, string>;
}

/** A pair's (or a DGM4 sample's) verdict (keys 1–4, 0 clears), tags (t), note and collections. */
export function CurationPanel({ curation, collections, onChange, tagInputRef, names = VERDICT_NAMES }: CurationPanelProps) {
  const [note, setNote] = useState(curation.note ?? '');
  const [tag, setTag] = useState('');
  const [collection, setCollection] = useState('');
  useEffect(() => setNote(curation.note ?? ''), [curation.note]);
  const addTag = (): void => {
    if (tag.trim() === '') return;
    onChange({ addTags: [tag] });
    setTag('');
  };
  return (
    <div className="curation">
      <div className="verdicts" role="radiogroup" aria-label="Verdict">
        {VERDICTS.map((v, i) => (
          <button
            key={v}
            role="radio"
            aria-checked={curation.verdict === v}
            className={`verdict ${v}${curation.verdict === v ? ' on' : ''}`}
            title={`${names[v]} (${i + 1})`}
            onClick={() => onChange({ verdict: curation.verdict === v ? null : v })}
          >
            <kbd>{i + 1}</kbd> {names[v]}
          </button>
        ))}
      </div>
      <div className="tags" aria-label="Tags">
        {curation.tags.map((t) => (
          <span key={t} className="tag">
            {t}
            <button aria-label={`Remove tag ${t}`} onClick={() => onChange({ removeTags: [t] })}>×</button>
          </span>
        ))}
        <input
          ref={tagInputRef}
          aria-label="Add tag"
          placeholder="add tag (t)"
          value={tag}
          maxLength={100}
          onChange={(e) => setTag(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && addTag()}
        />
      </div>
      <textarea
        aria-label="Note"
        placeholder="Note (saved when you leave the box)"
        value={note}
        rows={2}
        onChange={(e) => setNote(e.target.value)}
        onBlur={() => note !== (curation.note ?? '') && onChange({ note })}
      />
      {collections !== null && (
      <div className="collections">
        {curation.collections.map((c) => (
          <span key={c} className="tag collection">
            {c}
            <button aria-label={`Remove from ${c}`} onClick={() => onChange({ removeFromCollection: c })}>×</button>
          </span>
        ))}
        <input
          aria-label="Add to collection"
          list="collection-names"
          placeholder="add to collection…"
          value={collection}
          onChange={(e) => setCollection(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && collection.trim() !== '') {
              onChange({ addToCollection: collection });
              setCollection('');
            }
          }}
        />
        <datalist id="collection-names">
          {collections.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
      </div>
      )}
    </div>
  );
}
