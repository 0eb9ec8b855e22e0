import exifr from 'exifr';
import path from 'node:path';
import sharp from 'sharp';
import type { Forensics, JpegQuality } from '../../common/vetting.ts';
import { extensionMatches } from '../images/formats.ts';
import { corpusHash, distance, greyImage } from './phash.ts';

/** What a file says about itself, read offline: metadata, its embedded thumbnail, JPEG tables, error levels. */

/** Hash bits beyond which the embedded thumbnail is not a picture of the image it is embedded in. */
const THUMBNAIL_DIFFERS = 14;
/** The quality error levels are re-saved at, and how much the difference is amplified to be seen. */
const ELA_QUALITY = 90;
const ELA_GAIN = 20;
const PREVIEW = 640;

/** libjpeg's standard luminance table (Annex K), in the zig-zag order DQT stores it. */
const STANDARD_LUMINANCE = [
  16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40, 26, 24, 22, 22, 24, 49, 35, 37, 29, 40, 58, 51, 61, 60, 57, 51, 56, 55, 64, 72, 92, 78, 64, 68, 87, 69, 55, 56, 80, 109, 81, 87, 95, 98, 103, 104, 103, 62,
  77, 113, 121, 112, 100, 120, 92, 101, 103, 99,
];

/**
 * The quantisation tables of a JPEG (its DQT segments, before the image data) and the quality
 * of libjpeg's scaling that best explains the first (luminance) table: the mean of
 * 100 · table / standard gives libjpeg's scale, from which quality = (200 − scale) / 2, or
 * 5000 / scale below 50. Null for other formats, or when the file has no tables.
 */
function jpegQuality(bytes: Buffer): JpegQuality | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  const tables: { id: number; values: number[] }[] = [];
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const length = bytes.readUInt16BE(at + 2);
    if (length < 2 || at + 2 + length > bytes.length) break;
    if (marker === 0xdb) {
      let p = at + 4;
      const end = at + 2 + length;
      while (p < end) {
        const precision = bytes[p]! >> 4;
        const id = bytes[p]! & 0x0f;
        p++;
        const values: number[] = [];
        for (let i = 0; i < 64 && p < end; i++) {
          values.push(precision === 0 ? bytes[p]! : bytes.readUInt16BE(p));
          p += precision === 0 ? 1 : 2;
        }
        if (values.length === 64) tables.push({ id, values });
      }
    }
    if (marker === 0xda) break; // the image data starts: no more tables
    at += 2 + length;
  }
  const luminance = tables.find((t) => t.id === 0) ?? tables[0];
  if (luminance === undefined) return null;
  const scale = luminance.values.reduce((sum, v, i) => sum + (100 * v) / STANDARD_LUMINANCE[i]!, 0) / 64;
  const quality = scale <= 100 ? (200 - scale) / 2 : 5000 / scale;
  return { quality: Math.max(1, Math.min(100, Math.round(quality))), tables: tables.map((t) => ({ id: t.id, values: t.values })) };
}

const text = (v: unknown): string | null => (v === undefined || v === null ? null : v instanceof Date ? v.toISOString() : String(v).trim() || null);

/** Great-circle distance in km (haversine, mean Earth radius). */
function kilometres(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const [dLat, dLon] = [(b.latitude - a.latitude) * rad, (b.longitude - a.longitude) * rad];
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Amplified difference between the image and itself re-saved as JPEG at ELA_QUALITY, as a PNG data URL, with the largest difference. */
async function errorLevels(bytes: Buffer): Promise<{ dataUrl: string; maxDifference: number }> {
  const base = sharp(bytes, { animated: false }).rotate().flatten({ background: '#ffffff' }).resize(PREVIEW, PREVIEW, { fit: 'inside', withoutEnlargement: true }).removeAlpha();
  const original = await base.clone().raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = original.info;
  const resaved = await sharp(await sharp(original.data, { raw: { width, height, channels } }).jpeg({ quality: ELA_QUALITY }).toBuffer()).raw().toBuffer();
  const out = Buffer.alloc(original.data.length);
  let max = 0;
  for (let i = 0; i < out.length; i++) {
    const d = Math.abs(original.data[i]! - resaved[i]!);
    if (d > max) max = d;
    out[i] = Math.min(255, d * ELA_GAIN);
  }
  const png = await sharp(out, { raw: { width, height, channels } }).png().toBuffer();
  return { dataUrl: `data:image/png;base64,${png.toString('base64')}`, maxDifference: max };
}

/**
 * The file's own evidence: its real format against its name; EXIF/XMP/IPTC (capture and change
 * dates, camera, software, orientation, GPS and its distance from `place` when given); the
 * embedded thumbnail, flagged when it shows another picture; JPEG tables and estimated quality;
 * error levels. A damaged metadata block is reported and the rest still read.
 */
export async function forensics(bytes: Buffer, name: string, format: string, grey: Float32Array, place?: { latitude: number; longitude: number }): Promise<Forensics> {
  const extension = path.extname(name).slice(1).toLowerCase() || null;
  const result: Forensics = {
    format: { real: format, extension, matches: extension === null || extensionMatches(format, name) },
    metadata: null,
    metadataError: null,
    thumbnail: null,
    jpeg: jpegQuality(bytes),
    ela: await errorLevels(bytes),
  };
  try {
    const parsed = (await exifr.parse(bytes, { tiff: true, exif: true, gps: true, xmp: true, iptc: true, icc: false, ifd1: false, mergeOutput: false, translateValues: true, reviveValues: false })) as
      | (Record<string, Record<string, unknown>> & { errors?: unknown[] })
      | undefined;
    // exifr reads what it can and lists what it could not.
    const { errors, ...raw } = parsed ?? {};
    if (errors !== undefined && errors.length > 0) result.metadataError = `the metadata block is damaged (${errors.map((e) => (e instanceof Error ? e.message : String(e)).split('\n')[0]).join('; ')}); what could be read is shown`;
    if (Object.keys(raw).length > 0) {
      const all = Object.assign({}, ...Object.values(raw)) as Record<string, unknown>;
      const gps = typeof all.latitude === 'number' && typeof all.longitude === 'number' ? { latitude: all.latitude, longitude: all.longitude, altitude: typeof all.GPSAltitude === 'number' ? all.GPSAltitude : null } : null;
      const fields: Record<string, Record<string, string>> = {};
      for (const [block, values] of Object.entries(raw)) {
        if (values === null || typeof values !== 'object') continue;
        fields[block] = Object.fromEntries(
          Object.entries(values)
            .filter(([, v]) => v !== null && v !== undefined && !(v instanceof Uint8Array))
            .map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v).slice(0, 200) : String(v).slice(0, 500)]),
        );
      }
      result.metadata = {
        captured: text(all.DateTimeOriginal ?? all.CreateDate ?? all.DateCreated),
        modified: text(all.ModifyDate ?? all.DateTime ?? all.MetadataDate),
        camera: [text(all.Make), text(all.Model)].filter(Boolean).join(' ') || null,
        software: text(all.Software ?? all.CreatorTool ?? all.ProcessingSoftware),
        orientation: text(all.Orientation),
        gps,
        distanceKm: gps !== null && place !== undefined ? kilometres(gps, place) : null,
        fields,
      };
    }
  } catch (err) {
    result.metadataError = `the metadata could not be read (${err instanceof Error ? err.message : String(err)}); the rest of the file was`;
  }
  try {
    const thumb = (await exifr.thumbnail(bytes)) as Uint8Array | undefined;
    if (thumb !== undefined && thumb.length > 0) {
      const buffer = Buffer.from(thumb);
      const meta = await sharp(buffer).metadata();
      const bits = distance(corpusHash(await greyImage(buffer)), corpusHash(grey));
      result.thumbnail = { dataUrl: `data:image/jpeg;base64,${buffer.toString('base64')}`, width: meta.width ?? 0, height: meta.height ?? 0, distance: bits, differs: bits > THUMBNAIL_DIFFERS };
    }
  } catch (err) {
    result.metadataError ??= `the embedded thumbnail could not be read (${err instanceof Error ? err.message : String(err)})`;
  }
  return result;
}
