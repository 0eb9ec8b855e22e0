import { useEffect, useState } from 'react';

export interface PairImageProps {
  itemId: number | null;
  role: 'Pristine' | 'Falsified' | 'Neighbour';
  caption: string;
  src: string | null;
  /** Explains why the image cannot be shown (missing, corrupt …). */
  explain: (itemId: number) => Promise<string | null>;
  large?: boolean;
  /** Says what the image is for, after its role: "(saliency)". */
  purpose?: string;
}

/**
 * A pair's image, or a clear placeholder saying why there is none: never a broken-image icon.
 */
export function PairImage({ itemId, role, caption, src, explain, large = false, purpose }: PairImageProps) {
  const [problem, setProblem] = useState<string | null>(itemId === null ? `no ${role.toLowerCase()} row in this split file` : null);
  useEffect(() => setProblem(itemId === null ? `no ${role.toLowerCase()} row in this split file` : null), [itemId, src, role]);
  const label = purpose === undefined ? `${role} image` : `${role} image ${purpose}`;
  const cls = `pair-image ${role.toLowerCase()}${large ? ' large' : ''}`;
  if (problem !== null || itemId === null || src === null) {
    return (
      <div className={`${cls} placeholder`} role="img" aria-label={`${label} unavailable: ${problem ?? 'no image'}`} title={problem ?? 'no image'}>
        <span className="placeholder-icon" aria-hidden="true">⌧</span>
        <span className="placeholder-text">{problem ?? 'no image'}</span>
      </div>
    );
  }
  // `loading` before `src`: Preact sets attributes in the order written, and an image given its
  // src before it is lazy starts loading at once (a fling would fetch every row it passes).
  return (
    <img
      loading="lazy"
      decoding="async"
      className={cls}
      src={src}
      alt={`${label}: ${caption || 'no caption'}`}
      onError={() => {
        setProblem('loading…');
        explain(itemId).then(
          (reason) => setProblem(reason ?? 'the image could not be loaded'),
          () => setProblem('the image could not be loaded'),
        );
      }}
    />
  );
}
