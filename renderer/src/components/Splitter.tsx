import { useRef } from 'react';

export interface SplitterProps {
  /** The width of the pane on the splitter's right, in px. */
  width: number;
  min: number;
  max: number;
  label: string;
  onResize: (width: number) => void;
}

const STEP = 24;

/** A vertical bar to drag (or move with ←/→ once focused) that sets the width of the pane to its right. */
export function Splitter({ width, min, max, label, onResize }: SplitterProps) {
  const drag = useRef<{ x: number; width: number } | null>(null);
  const clamp = (w: number): number => Math.round(Math.max(min, Math.min(max, w)));
  return (
    <div
      className="splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-valuenow={width}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = { x: e.clientX, width };
      }}
      onPointerMove={(e) => drag.current && onResize(clamp(drag.current.width + drag.current.x - e.clientX))}
      onPointerUp={() => (drag.current = null)}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
        e.preventDefault();
        e.stopPropagation();
        onResize(clamp(width + (e.key === 'ArrowLeft' ? STEP : -STEP)));
      }}
    />
  );
}
