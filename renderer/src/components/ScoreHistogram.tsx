import { useState } from 'react';
import type { ScoreHistogram as Histogram } from '../../../electron/common/pairs.ts';
import { formatNumber } from '../format.ts';

export interface ScoreHistogramProps {
  histogram: Histogram;
  /** The series the score range applies to (the query's label, or falsified). */
  active: Histogram['series'][number]['name'];
  min: number | undefined;
  max: number | undefined;
  /** A range brushed on a series; null for a click, which clears it. */
  onBrush: (series: Histogram['series'][number]['name'], range: { min: number; max: number } | null) => void;
}

const WIDTH = 200;
const HEIGHT = 40;

/**
 * One small bar chart per label over the same score axis, the range in force shaded on the
 * series it applies to. Drag across a chart to filter to that range (snapped to its bins); click
 * to clear it. The number fields beside it do the same from the keyboard.
 */
export function ScoreHistogram({ histogram, active, min, max, onBrush }: ScoreHistogramProps) {
  const [brush, setBrush] = useState<{ series: string; from: number; to: number } | null>(null);
  const bins = histogram.series[0]?.counts.length ?? 1;
  const span = histogram.max - histogram.min;
  const binWidth = WIDTH / bins;
  const xOf = (value: number): number => Math.max(0, Math.min(WIDTH, ((value - histogram.min) / span) * WIDTH));
  const binAt = (e: React.PointerEvent<SVGSVGElement>): number => {
    const box = e.currentTarget.getBoundingClientRect();
    return Math.max(0, Math.min(bins - 1, Math.floor(((e.clientX - box.left) / box.width) * bins)));
  };
  const edge = (bin: number): number => Number((histogram.min + (bin / bins) * span).toFixed(4));
  const peak = Math.max(1, ...histogram.series.flatMap((s) => s.counts));
  return (
    <div className="histogram" aria-label={`Distribution of ${histogram.score}`}>
      {histogram.series.map((s) => {
        const shaded = brush?.series === s.name ? { from: Math.min(brush.from, brush.to) * binWidth, to: (Math.max(brush.from, brush.to) + 1) * binWidth } : s.name === active && (min !== undefined || max !== undefined) ? { from: xOf(min ?? histogram.min), to: xOf(max ?? histogram.max) } : null;
        return (
          <figure key={s.name} className={`histogram-series ${s.name === 'caption–caption' ? '' : s.name}`}>
            <figcaption>{s.name}</figcaption>
            <svg
              viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
              preserveAspectRatio="none"
              role="img"
              aria-label={`${s.name}: ${formatNumber(s.counts.reduce((a, b) => a + b, 0))} pairs by ${histogram.score}; drag to filter to a range`}
              onPointerDown={(e) => {
                e.currentTarget.setPointerCapture(e.pointerId);
                const bin = binAt(e);
                setBrush({ series: s.name, from: bin, to: bin });
              }}
              onPointerMove={(e) => brush?.series === s.name && setBrush({ ...brush, to: binAt(e) })}
              onPointerUp={() => {
                if (brush === null) return;
                setBrush(null);
                const [lo, hi] = [Math.min(brush.from, brush.to), Math.max(brush.from, brush.to)];
                onBrush(s.name, lo === hi ? null : { min: edge(lo), max: edge(hi + 1) });
              }}
            >
              {shaded && <rect className="brush" x={shaded.from} y={0} width={Math.max(1, shaded.to - shaded.from)} height={HEIGHT} />}
              {s.counts.map((n, i) => (n === 0 ? null : <rect key={i} className="bin" x={i * binWidth + 0.3} width={binWidth - 0.6} y={HEIGHT - Math.max(1, (n / peak) * HEIGHT)} height={Math.max(1, (n / peak) * HEIGHT)} />))}
            </svg>
          </figure>
        );
      })}
      <div className="histogram-axis">
        <span>{histogram.min.toFixed(2)}</span>
        <span>{histogram.score}</span>
        <span>{histogram.max.toFixed(2)}</span>
      </div>
    </div>
  );
}
