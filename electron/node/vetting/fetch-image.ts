import { OocError } from '../../common/errors.ts';
import { MAX_UPLOAD_BYTES } from '../../common/vetting.ts';

export interface FetchLimits {
  /** Larger bodies are refused (by Content-Length, or as soon as they pass it). */
  maxBytes?: number;
  /** For the whole download, redirects included. */
  timeoutMs?: number;
  maxRedirects?: number;
}

/** The file name an image fetched from a URL is known by: the last part of its path, or the host. */
function nameOf(url: URL): string {
  const last = decodeURIComponent(url.pathname.split('/').filter(Boolean).at(-1) ?? '');
  return last.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 120) || url.hostname;
}

/**
 * Downloads an image an investigator was pointed to, in the main process: http(s) only, each
 * redirect followed by hand up to `maxRedirects`, the whole download within `timeoutMs`, the
 * body read up to `maxBytes` and no further. Nothing is executed or rendered; what the bytes are
 * is decided by readNewImage from the bytes themselves, not by the server's Content-Type.
 */
export async function fetchImage(address: string, limits: FetchLimits = {}): Promise<{ bytes: Buffer; name: string; url: string }> {
  const { maxBytes = MAX_UPLOAD_BYTES, timeoutMs = 20_000, maxRedirects = 5 } = limits;
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new OocError('BAD_ARGUMENT', `not a web address: ${JSON.stringify(address)}`);
  }
  const signal = AbortSignal.timeout(timeoutMs);
  const failed = (err: unknown): never => {
    if (signal.aborted) throw new OocError('NETWORK', `${url.href} did not answer within ${timeoutMs / 1000} s`);
    throw new OocError('NETWORK', `${url.href} could not be fetched: ${err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err)}`);
  };
  for (let hops = 0; ; hops++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OocError('BAD_ARGUMENT', `only http and https addresses are fetched, not ${url.protocol.replace(/:$/, '')}: ${url.href}`);
    const response = await fetch(url, { redirect: 'manual', signal, headers: { accept: 'image/*' } }).catch(failed);
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      await response.body?.cancel();
      if (location === null) throw new OocError('NETWORK', `${url.href} redirects (${response.status}) without saying where`);
      if (hops >= maxRedirects) throw new OocError('NETWORK', `${address} redirects more than ${maxRedirects} times (a loop?); stopped at ${url.href}`);
      url = new URL(location, url);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new OocError('NETWORK', `${url.href} answered ${response.status} ${response.statusText}`.trim());
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    const tooBig = () => new OocError('BAD_INPUT_FILE', `${url.href} is over ${maxBytes / 2 ** 20} MB; larger images are refused`);
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw tooBig();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    if (reader !== undefined) {
      for (;;) {
        const { done, value } = await reader.read().catch(failed);
        if (done) break;
        size += value.length;
        if (size > maxBytes) {
          await reader.cancel();
          throw tooBig();
        }
        chunks.push(value);
      }
    }
    return { bytes: Buffer.concat(chunks), name: nameOf(url), url: url.href };
  }
}
