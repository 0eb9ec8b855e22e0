import { useEffect, useRef, useState, type MouseEvent } from 'react';

/** Where the lens is, as fractions of the image's width and height. */
export interface LensAt {
  x: number;
  y: number;
}

const ZOOM = 4;
/** The lens's diameter, px. */
const LENS = 140;

/**
 * An image with a magnifying lens: hover to look at ×4. The lens position is held by the caller,
 * so images of the same picture (the photo and its error levels) magnify the same spot together.
 */
export function Magnified({ src, alt, lens, onLens }: { src: string; alt: string; lens: LensAt | null; onLens: (at: LensAt | null) => void }) {
  const box = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const observer = new ResizeObserver(([entry]) => entry && setSize({ width: entry.contentRect.width, height: entry.contentRect.height }));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const move = (e: MouseEvent<HTMLDivElement>): void => {
    const r = e.currentTarget.getBoundingClientRect();
    onLens({ x: Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)), y: Math.min(1, Math.max(0, (e.clientY - r.top) / r.height)) });
  };
  return (
    <div className="magnified" ref={box} onMouseMove={move} onMouseLeave={() => onLens(null)}>
      <img src={src} alt={alt} draggable={false} />
      {lens && size.width > 0 && (
        <div
          className="lens"
          role="img"
          aria-label={`${alt}, magnified ×${ZOOM}`}
          style={{
            left: lens.x * size.width - LENS / 2,
            top: lens.y * size.height - LENS / 2,
            width: LENS,
            height: LENS,
            backgroundImage: `url("${src}")`,
            backgroundSize: `${ZOOM * size.width}px ${ZOOM * size.height}px`,
            // The spot under the cursor sits at the lens's centre.
            backgroundPosition: `${LENS / 2 - lens.x * ZOOM * size.width}px ${LENS / 2 - lens.y * ZOOM * size.height}px`,
          }}
        />
      )}
    </div>
  );
}
