import * as Plot from '@observablehq/plot';
import { useEffect, useRef } from 'react';
import { save, saveText } from '../save-file.ts';

export { saveText };

/** Colours for a chart's series, in order. */
export const SERIES_COLOURS = ['#2563eb', '#c2410c', '#15803d', '#7c3aed', '#0891b2', '#be185d', '#a16207', '#475569'];

/**
 * A legend drawn inside the chart (so a saved SVG or PNG keeps it): one coloured line per
 * series, stacked from a corner of the frame.
 */
export function legendMarks(series: readonly { label: string; colour: string }[], corner: 'top-right' | 'bottom-right'): Plot.Markish[] {
  const step = corner === 'top-right' ? 15 : -15;
  const ordered = corner === 'top-right' ? series : [...series].reverse();
  return ordered.map((s, i) => Plot.text([s.label], { frameAnchor: corner, dx: -6, dy: (corner === 'top-right' ? 8 : -8) + i * step, text: (d: string) => `■ ${d}`, fill: s.colour, textAnchor: 'end', fontWeight: 600 }));
}

function svgText(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  // The page's stylesheet does not travel with the file: the font it would have set, inline.
  copy.setAttribute('font-family', 'system-ui, sans-serif');
  return new XMLSerializer().serializeToString(copy);
}

/** The chart as a PNG at twice its size, drawn from its SVG on a white background. */
async function pngOf(svg: SVGSVGElement): Promise<Blob> {
  const { width, height } = svg.viewBox.baseVal;
  const image = new Image();
  image.src = URL.createObjectURL(new Blob([svgText(svg)], { type: 'image/svg+xml' }));
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width * 2;
  canvas.height = height * 2;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  URL.revokeObjectURL(image.src);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the chart could not be drawn'))), 'image/png'));
}

/**
 * A chart drawn by Observable Plot, with buttons to save it as SVG or PNG. Plot adds a <style>
 * element to each chart; it is removed before the chart enters the page (the page's CSP allows
 * no inline styles) and its rules live in styles.css (.chart svg).
 */
export function PlotChart({ options, label, filename }: { options: Plot.PlotOptions; label: string; filename: string }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const figure = Plot.plot({ ...options, ariaLabel: label });
    figure.querySelectorAll('style').forEach((s) => s.remove());
    holder.current?.replaceChildren(figure);
    return () => figure.remove();
  }, [options, label]);
  const svg = (): SVGSVGElement | null => holder.current?.querySelector('svg') ?? null;
  return (
    <figure className="chart">
      <div ref={holder} />
      <figcaption>
        <span className="small muted">{label}</span>
        <button type="button" className="link" onClick={() => svg() && saveText(svgText(svg()!), `${filename}.svg`, 'image/svg+xml')}>SVG</button>
        <button type="button" className="link" onClick={() => svg() && void pngOf(svg()!).then((b) => save(b, `${filename}.png`))}>PNG</button>
      </figcaption>
    </figure>
  );
}
