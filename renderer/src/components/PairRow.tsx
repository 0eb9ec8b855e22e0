import { VERDICT_NAMES } from '../format.ts';
import type { PairSummary } from '../../../electron/common/pairs.ts';
import { Highlight } from './Highlight.tsx';
import { PairImage } from './PairImage.tsx';

export interface PairRowProps {
  pair: PairSummary;
  /** Show only this label's image. */
  label: 'pristine' | 'falsified' | undefined;
  query: string | undefined;
  selected: boolean;
  thumbnail: (itemId: number) => string;
  explain: (itemId: number) => Promise<string | null>;
  /** Marked for an edit on several pairs at once (x, or the box). */
  marked: boolean;
  onMark: () => void;
  onSelect: () => void;
  onOpen: () => void;
}

function score(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : x.toFixed(3);
}

/** One caption with its pristine image and the image swapped in for it. */
export function PairRow({ pair, label, query, selected, marked, thumbnail, explain, onMark, onSelect, onOpen }: PairRowProps) {
  const model = pair.modelScores[0];
  return (
    <div
      className={`pair-row${selected ? ' selected' : ''}${label ? ' one-image' : ''}`}
      role="option"
      aria-selected={selected}
      data-testid="pair-row"
      data-pair-id={pair.pairId}
      onClick={onSelect}
      onDoubleClick={onOpen}
    >
      {label !== 'falsified' && (
        <figure className="thumb">
          <PairImage itemId={pair.pristine?.imageId ?? null} role="Pristine" caption={pair.caption} src={pair.pristine ? thumbnail(pair.pristine.imageId) : null} explain={explain} />
          <figcaption><span className="label pristine">pristine</span> {score(pair.pristine?.similarityScore)}
            {model && <span className="model-score" title={`${model.name}: caption–image cosine`}> · {score(model.pristine)}</span>}
          </figcaption>
        </figure>
      )}
      {label !== 'pristine' && (
        <figure className="thumb">
          <PairImage itemId={pair.falsified?.imageId ?? null} role="Falsified" caption={pair.caption} src={pair.falsified ? thumbnail(pair.falsified.imageId) : null} explain={explain} />
          <figcaption><span className="label falsified">falsified</span> {score(pair.falsified?.similarityScore)}
            {model && <span className="model-score" title={`${model.name}: caption–image cosine`}> · {score(model.falsified)}</span>}
          </figcaption>
        </figure>
      )}
      <div className="pair-text">
        <p className="caption">
          <input type="checkbox" className="mark" aria-label={`Mark pair ${pair.pairId}`} checked={marked} onChange={onMark} onClick={(e) => e.stopPropagation()} />
          <Highlight text={pair.caption} query={query} />
        </p>
        <p className="meta">
          {pair.verdict && <span className={`verdict-badge ${pair.verdict}`}>{VERDICT_NAMES[pair.verdict]}</span>}
          {pair.tags.map((t) => (
            <span key={t} className="tag">{t}</span>
          ))}
          <span>{pair.source ?? 'unknown source'}</span>
          <span>{pair.topic ?? 'no topic'}</span>
          {pair.sourceDataset !== null && <span>{pair.sourceDataset}</span>}
          {model && <span title={`${model.name}: cosine of the caption with the falsified image's own caption`}>caption–caption {score(model.textText)}</span>}
          <span className="ids">caption {pair.captionId} · image {(label === 'pristine' ? pair.pristine?.imageId : pair.falsified?.imageId) ?? '—'}</span>
        </p>
      </div>
    </div>
  );
}
