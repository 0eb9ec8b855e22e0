import sharp from 'sharp';
import type { Colormap, SaliencyGrid } from '../../common/saliency.ts';
import { modelView } from '../inference/preprocess.ts';

/** Control points (t, r, g, b) of each colour map, interpolated linearly. */
const STOPS: Record<Colormap, [number, number, number, number][]> = {
  jet: [[0, 0, 0, 128], [0.125, 0, 0, 255], [0.375, 0, 255, 255], [0.625, 255, 255, 0], [0.875, 255, 0, 0], [1, 128, 0, 0]],
  viridis: [[0, 68, 1, 84], [0.25, 59, 82, 139], [0.5, 33, 145, 140], [0.75, 94, 201, 98], [1, 253, 231, 37]],
  inferno: [[0, 0, 0, 4], [0.25, 87, 16, 110], [0.5, 188, 55, 84], [0.75, 249, 142, 9], [1, 252, 255, 164]],
  gray: [[0, 0, 0, 0], [1, 255, 255, 255]],
};

function colour(map: Colormap, t: number): [number, number, number] {
  const stops = STOPS[map];
  const x = Math.min(1, Math.max(0, t));
  for (let i = 1; i < stops.length; i++) {
    const [t1, r1, g1, b1] = stops[i]!;
    if (x <= t1) {
      const [t0, r0, g0, b0] = stops[i - 1]!;
      const f = (x - t0) / (t1 - t0);
      return [r0 + (r1 - r0) * f, g0 + (g1 - g0) * f, b0 + (b1 - b0) * f];
    }
  }
  const last = stops.at(-1)!;
  return [last[1], last[2], last[3]];
}

/** The map scaled to [0, 1] (min to max) and upsampled bilinearly to size × size. */
export function upsample(map: SaliencyGrid, size: number): Float32Array {
  const min = Math.min(...map.values);
  const span = Math.max(...map.values) - min || 1;
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const gy = Math.min(map.height - 1, Math.max(0, ((y + 0.5) * map.height) / size - 0.5));
    const y0 = Math.floor(gy);
    const y1 = Math.min(map.height - 1, y0 + 1);
    for (let x = 0; x < size; x++) {
      const gx = Math.min(map.width - 1, Math.max(0, ((x + 0.5) * map.width) / size - 0.5));
      const x0 = Math.floor(gx);
      const x1 = Math.min(map.width - 1, x0 + 1);
      const v = (i: number, j: number): number => map.values[i * map.width + j]!;
      const top = v(y0, x0) + (v(y0, x1) - v(y0, x0)) * (gx - x0);
      const bottom = v(y1, x0) + (v(y1, x1) - v(y1, x0)) * (gx - x0);
      out[y * size + x] = (top + (bottom - top) * (gy - y0) - min) / span;
    }
  }
  return out;
}

/** The heatmap alone, as an opaque PNG of size × size. */
export async function heatmapPng(map: SaliencyGrid, size: number, colormap: Colormap): Promise<Buffer> {
  const values = upsample(map, size);
  const rgb = Buffer.alloc(size * size * 3);
  values.forEach((t, i) => rgb.set(colour(colormap, t).map(Math.round), i * 3));
  return sharp(rgb, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}

/**
 * The image as the model saw it (the centre square, oriented as shown) with the heatmap over it
 * at the given opacity, as a PNG of size × size.
 */
export async function overlayPng(imageFile: string, map: SaliencyGrid, size: number, colormap: Colormap, opacity: number): Promise<Buffer> {
  const base = await modelView(imageFile, size);
  const values = upsample(map, size);
  const a = Math.min(1, Math.max(0, opacity));
  const out = Buffer.alloc(size * size * 3);
  values.forEach((t, i) => {
    const c = colour(colormap, t);
    for (let k = 0; k < 3; k++) out[i * 3 + k] = Math.round(base[i * 3 + k]! * (1 - a) + c[k]! * a);
  });
  return sharp(out, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}
