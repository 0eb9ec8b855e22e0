/** Image formats recognised by their first bytes, whatever the file is named. */

import type { ImageFormat } from '../store/image-checks.ts';

export type { ImageFormat };

export function sniffFormat(head: Buffer): ImageFormat | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  const ascii = head.toString('latin1', 0, Math.min(12, head.length));
  if (ascii.startsWith('GIF87a') || ascii.startsWith('GIF89a')) return 'gif';
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'webp';
  if (ascii.startsWith('BM')) return 'bmp';
  if (ascii.startsWith('II*\0') || ascii.startsWith('MM\0*')) return 'tiff';
  return null;
}

/**
 * Whether the file's tail holds the format's end marker: the cheap test for the most common
 * corruption in scraped corpora, a download cut short. Formats without one pass.
 */
export function hasEndMarker(format: ImageFormat, tail: Buffer): boolean {
  if (format === 'jpeg') {
    for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
    return false;
  }
  if (format === 'png') return tail.includes('IEND', 0, 'latin1');
  if (format === 'gif') return tail.subarray(-16).includes(0x3b);
  return true;
}

/** The formats read, with the names their files go by and their media type (AVIF: new images only, told by its ftyp box). */
const FORMATS: Record<ImageFormat | 'avif', { extensions: string[]; mime: string }> = {
  jpeg: { extensions: ['.jpg', '.jpeg', '.jpe', '.jfif'], mime: 'image/jpeg' },
  png: { extensions: ['.png'], mime: 'image/png' },
  gif: { extensions: ['.gif'], mime: 'image/gif' },
  webp: { extensions: ['.webp'], mime: 'image/webp' },
  bmp: { extensions: ['.bmp'], mime: 'image/bmp' },
  tiff: { extensions: ['.tif', '.tiff'], mime: 'image/tiff' },
  avif: { extensions: ['.avif'], mime: 'image/avif' },
};

export function extensionMatches(format: string, file: string): boolean {
  const lower = file.toLowerCase();
  return (FORMATS[format as ImageFormat]?.extensions ?? []).some((ext) => lower.endsWith(ext));
}

/** The media type of a format, for serving or embedding its bytes. */
export function mimeType(format: string): string {
  return FORMATS[format as ImageFormat]?.mime ?? 'application/octet-stream';
}
