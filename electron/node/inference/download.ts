import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OocError } from '../../common/errors.ts';

/**
 * Downloads one file so that an interrupted download continues where it stopped and a finished
 * one is complete and intact: bytes go to `<dest>.part`, a restart asks the server for the rest
 * (Range, with If-Range on the ETag so a changed file starts over), the sha256 is checked (the
 * expected one, or an ETag that is a sha256, as Hugging Face's are for large files), and only
 * then is the file renamed into place. An existing `dest` is never fetched again.
 */

export interface DownloadOptions {
  /** The sha256 the file must have (lowercase hex); without it, an ETag that is a sha256 is used. */
  sha256?: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number | null) => void;
}

export interface DownloadResult {
  file: string;
  bytes: number;
  sha256: string;
  /** Bytes that an earlier, interrupted download had already fetched. */
  resumedFrom: number;
  /** Whether the file was already there (nothing fetched). */
  cached: boolean;
  /** How the content was checked: against the given sha256, the server's ETag, or not at all. */
  verified: 'sha256' | 'etag' | 'unverified';
}

interface PartInfo {
  url: string;
  etag: string | null;
}

const SHA256 = /^[0-9a-f]{64}$/;

async function sizeOf(file: string): Promise<number> {
  return (await stat(file).catch(() => null))?.size ?? 0;
}

export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The ETag as a bare value: Hugging Face gives the sha256 of large files in X-Linked-Etag. */
function etagOf(headers: Headers): string | null {
  const raw = headers.get('x-linked-etag') ?? headers.get('etag');
  return raw === null ? null : raw.replace(/^W\//, '').replace(/"/g, '');
}

export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const expected = options.sha256?.toLowerCase();
  if (expected !== undefined && !SHA256.test(expected)) throw new OocError('BAD_ARGUMENT', `not a sha256: ${options.sha256}`);
  if ((await sizeOf(dest)) > 0) {
    const sha256 = await hashFile(dest);
    if (expected !== undefined && sha256 !== expected) {
      throw new OocError('BAD_INPUT_FILE', `${dest} is already there but its sha256 is ${sha256}, not ${expected}; delete it to download again`);
    }
    return { file: dest, bytes: await sizeOf(dest), sha256, resumedFrom: 0, cached: true, verified: expected ? 'sha256' : 'unverified' };
  }
  await mkdir(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const infoFile = `${part}.json`;
  const info = (JSON.parse(await readFile(infoFile, 'utf8').catch(() => 'null')) as PartInfo | null) ?? null;
  let have = info !== null && info.url === url ? await sizeOf(part) : 0;

  const headers: Record<string, string> = {};
  if (have > 0) {
    headers.range = `bytes=${have}-`;
    if (info?.etag) headers['if-range'] = `"${info.etag}"`;
  }
  let response: Response;
  try {
    response = await fetch(url, { headers, redirect: 'follow', ...(options.signal ? { signal: options.signal } : {}) });
  } catch (err) {
    if (options.signal?.aborted) throw new OocError('CANCELLED', `download of ${url} stopped; run it again to continue`);
    throw new OocError('NETWORK', `cannot reach ${new URL(url).host}: ${(err as Error).message}${have > 0 ? ' (the part already fetched is kept)' : ''}`);
  }
  if (response.status === 416 && have > 0) {
    // The part is already whole (the last run stopped before renaming it).
    await response.body?.cancel();
  } else if (response.status !== 200 && response.status !== 206) {
    await response.body?.cancel();
    throw new OocError('NETWORK', `${url} answered HTTP ${response.status} ${response.statusText}`);
  }
  const etag = etagOf(response.headers) ?? info?.etag ?? null;
  const resumedFrom = response.status === 206 ? have : 0;
  if (response.status === 200) have = 0; // the server sent the whole file: start over
  await writeFile(infoFile, JSON.stringify({ url, etag } satisfies PartInfo));

  if (response.status !== 416) {
    const length = Number(response.headers.get('content-length') ?? NaN);
    const total = Number.isFinite(length) ? have + length : null;
    const handle = await open(part, have > 0 ? 'a' : 'w');
    try {
      let done = have;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        await handle.write(chunk);
        done += chunk.length;
        options.onProgress?.(done, total);
      }
      await handle.sync();
    } catch (err) {
      if (options.signal?.aborted) throw new OocError('CANCELLED', `download of ${url} stopped; run it again to continue`);
      throw new OocError('NETWORK', `the download of ${url} broke off: ${(err as Error).message} (the part already fetched is kept; run it again to continue)`);
    } finally {
      await handle.close();
    }
    if (total !== null && (await sizeOf(part)) !== total) {
      throw new OocError('NETWORK', `the download of ${url} ended early (${await sizeOf(part)} of ${total} bytes); run it again to continue`);
    }
  }

  const sha256 = await hashFile(part);
  const want = expected ?? (etag !== null && SHA256.test(etag) ? etag : undefined);
  if (want !== undefined && sha256 !== want) {
    await rm(part, { force: true });
    await rm(infoFile, { force: true });
    throw new OocError('BAD_INPUT_FILE', `${url} arrived with sha256 ${sha256}, not the expected ${want}; the download was discarded`);
  }
  await rename(part, dest);
  await rm(infoFile, { force: true });
  return { file: dest, bytes: await sizeOf(dest), sha256, resumedFrom, cached: false, verified: expected ? 'sha256' : want ? 'etag' : 'unverified' };
}
