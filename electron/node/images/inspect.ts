import { open } from 'node:fs/promises';
import sharp from 'sharp';
import type { ImageInspection } from '../store/image-checks.ts';
import { extensionMatches, hasEndMarker, sniffFormat } from './formats.ts';

const TAIL_BYTES = 1024;

/** Checks one image file: present, a real image by its bytes, not cut short, and decodable. */
export async function inspectImage(file: string): Promise<ImageInspection> {
  const none = { format: null, width: null, height: null };
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'missing', ...none, bytes: null, detail: 'file not found' };
    return { status: 'unreadable', ...none, bytes: null, detail: `cannot open: ${code ?? String(err)}` };
  }
  let head: Buffer;
  let tail: Buffer;
  let bytes: number;
  try {
    const s = await handle.stat();
    bytes = s.size;
    if (!s.isFile()) return { status: 'unreadable', ...none, bytes: null, detail: 'not a regular file' };
    if (bytes === 0) return { status: 'corrupt', ...none, bytes, detail: 'empty file' };
    head = Buffer.alloc(Math.min(16, bytes));
    await handle.read(head, 0, head.length, 0);
    tail = Buffer.alloc(Math.min(TAIL_BYTES, bytes));
    await handle.read(tail, 0, tail.length, bytes - tail.length);
  } finally {
    await handle.close();
  }
  const format = sniffFormat(head);
  if (format === null) {
    return { status: 'unsupported', ...none, bytes, detail: `not an image: starts with ${JSON.stringify(head.toString('latin1', 0, 8))}` };
  }
  const odd = extensionMatches(format, file) ? null : `${format.toUpperCase()} data in a file named ${file.slice(file.lastIndexOf('.'))}`;
  if (!hasEndMarker(format, tail)) {
    return { status: 'corrupt', format, width: null, height: null, bytes, detail: `truncated ${format.toUpperCase()}: no end marker` };
  }
  try {
    const meta = await sharp(file, { animated: false }).metadata();
    return { status: 'ok', format, width: meta.width ?? null, height: meta.height ?? null, bytes, detail: odd };
  } catch (err) {
    return { status: 'corrupt', format, width: null, height: null, bytes, detail: `cannot decode: ${err instanceof Error ? err.message : String(err)}` };
  }
}
