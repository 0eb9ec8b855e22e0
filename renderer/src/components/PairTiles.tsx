import { memo } from 'react';
import { VERDICT_NAMES } from '../format.ts';
import { Highlight } from './Highlight.tsx';
import { PairImage } from './PairImage.tsx';
import type { PairRowProps } from './PairRow.tsx';

/** The pair's images the layout shows: both, or the label's alone. */
function images({ pair, label }: Pick<PairRowProps, 'pair' | 'label'>) {
  return [
    ...(label === 'falsified' ? [] : [{ role: 'Pristine' as const, image: pair.pristine }]),
    ...(label === 'pristine' ? [] : [{ role: 'Falsified' as const, image: pair.falsified }]),
  ];
}

function Chips({ pair }: Pick<PairRowProps, 'pair'>) {
  return (
    <>
      {pair.verdict && <span className={`verdict-badge ${pair.verdict}`}>{VERDICT_NAMES[pair.verdict]}</span>}
      {pair.tags.map((t) => (
        <span key={t} className="tag">{t}</span>
      ))}
    </>
  );
}

function useRowEvents({ pair, onSelect, onOpen }: Pick<PairRowProps, 'pair' | 'onSelect' | 'onOpen'>) {
  return { onClick: () => onSelect(pair), onDoubleClick: () => onOpen(pair) };
}

/** A pair as a grid card: its images side by side over two lines of caption and its verdict and tags. */
export const PairCard = memo(function PairCard(props: PairRowProps) {
  const { pair, query, selected, marked, thumbnail, explain, onMark } = props;
  return (
    <div className={`pair-card${selected ? ' selected' : ''}`} role="option" aria-selected={selected} data-testid="pair-row" data-pair-id={pair.pairId} title={pair.caption} {...useRowEvents(props)}>
      <div className="card-images">
        {images(props).map(({ role, image }) => (
          <div key={role} className="thumb-frame">
            <PairImage itemId={image?.imageId ?? null} role={role} caption={pair.caption} src={image ? thumbnail(image.imageId) : null} explain={explain} />
            <span className={`label ${role.toLowerCase()}`}>{role === 'Pristine' ? 'P' : 'F'}</span>
          </div>
        ))}
      </div>
      <p className="card-caption">
        <input type="checkbox" className="mark" aria-label={`Mark pair ${pair.pairId}`} checked={marked} onChange={() => onMark(pair)} onClick={(e) => e.stopPropagation()} />
        <Highlight text={pair.caption} query={query} />
      </p>
      <p className="meta">
        <Chips pair={pair} />
        <span>{pair.source ?? 'unknown source'}</span>
      </p>
    </div>
  );
});

/** A pair on one line: small thumbnails, the caption, its chips and ids. */
export const PairLine = memo(function PairLine(props: PairRowProps) {
  const { pair, query, selected, marked, thumbnail, explain, onMark } = props;
  return (
    <div className={`pair-line${selected ? ' selected' : ''}`} role="option" aria-selected={selected} data-testid="pair-row" data-pair-id={pair.pairId} {...useRowEvents(props)}>
      <input type="checkbox" className="mark" aria-label={`Mark pair ${pair.pairId}`} checked={marked} onChange={() => onMark(pair)} onClick={(e) => e.stopPropagation()} />
      {images(props).map(({ role, image }) => (
        <div key={role} className={`line-thumb ${role.toLowerCase()}`}>
          <PairImage itemId={image?.imageId ?? null} role={role} caption={pair.caption} src={image ? thumbnail(image.imageId) : null} explain={explain} />
        </div>
      ))}
      <span className="line-caption">
        <Highlight text={pair.caption} query={query} />
      </span>
      <span className="meta">
        <Chips pair={pair} />
        <span>{pair.source ?? 'unknown source'}</span>
        <span>{pair.topic ?? 'no topic'}</span>
      </span>
      <span className="row-ids">caption {pair.captionId}</span>
    </div>
  );
});
