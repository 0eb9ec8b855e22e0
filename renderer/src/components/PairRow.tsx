import { memo } from 'react';
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
  /** Stable callbacks, given the row's pair: the row renders again only when what it shows changes. */
  onMark: (pair: PairSummary) => void;
  onSelect: (pair: PairSummary) => void;
  onOpen: (pair: PairSummary) => void;
}

function score(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : x.toFixed(3);
}

/** The two numbers under an image, each named: the split file's and the first model's. */
function Scores({ file, model, modelName }: { file: number | null | undefined; model: number | null | undefined; modelName: string | undefined }) {
  return (
    <figcaption>
      <span className="file-score" title="similarity_score, as the split file gives it">file similarity {score(file)}</span>
      {modelName !== undefined && (
        <span className="model-score" title={`${modelName}: cosine of the caption and this image`}>{modelName} cosine {score(model)}</span>
      )}
    </figcaption>
  );
}

/** One caption with its pristine image and the image swapped in for it. */
export const PairRow = memo(function PairRow({ pair, label, query, selected, marked, thumbnail, explain, onMark, onSelect, onOpen }: PairRowProps) {
  const model = pair.modelScores[0];
  const context = [pair.source ?? 'unknown source', pair.topic ?? 'no topic', ...(pair.sourceDataset !== null ? [pair.sourceDataset] : [])];
  return (
    <div
      className={`pair-row${selected ? ' selected' : ''}${label ? ' one-image' : ''}`}
      role="option"
      aria-selected={selected}
      data-testid="pair-row"
      data-pair-id={pair.pairId}
      onClick={() => onSelect(pair)}
      onDoubleClick={() => onOpen(pair)}
    >
      {label !== 'falsified' && (
        <figure className="thumb">
          <div className="thumb-frame">
            <PairImage itemId={pair.pristine?.imageId ?? null} role="Pristine" caption={pair.caption} src={pair.pristine ? thumbnail(pair.pristine.imageId) : null} explain={explain} />
            <span className="label pristine">pristine</span>
          </div>
          <Scores file={pair.pristine?.similarityScore} model={model?.pristine} modelName={model?.name} />
        </figure>
      )}
      {label !== 'pristine' && (
        <figure className="thumb">
          <div className="thumb-frame">
            <PairImage itemId={pair.falsified?.imageId ?? null} role="Falsified" caption={pair.caption} src={pair.falsified ? thumbnail(pair.falsified.imageId) : null} explain={explain} />
            <span className="label falsified">falsified</span>
          </div>
          <Scores file={pair.falsified?.similarityScore} model={model?.falsified} modelName={model?.name} />
        </figure>
      )}
      <div className="pair-text">
        <p className="caption">
          <input type="checkbox" className="mark" aria-label={`Mark pair ${pair.pairId}`} checked={marked} onChange={() => onMark(pair)} onClick={(e) => e.stopPropagation()} />
          <Highlight text={pair.caption} query={query} />
        </p>
        <p className="meta" title={[...pair.tags, ...context].join(' · ')}>
          {pair.verdict && <span className={`verdict-badge ${pair.verdict}`}>{VERDICT_NAMES[pair.verdict]}</span>}
          {pair.tags.map((t) => (
            <span key={t} className="tag">{t}</span>
          ))}
          {context.map((c) => (
            <span key={c}>{c}</span>
          ))}
        </p>
        <p className="row-ids">
          caption {pair.captionId} · image {(label === 'pristine' ? pair.pristine?.imageId : pair.falsified?.imageId) ?? '—'}
          {model && <span title={`${model.name}: cosine of the caption with the falsified image's own caption`}> · {model.name} caption–caption {score(model.textText)}</span>}
        </p>
      </div>
    </div>
  );
});
