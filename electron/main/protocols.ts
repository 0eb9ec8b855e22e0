import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Db } from '../node/store/db.ts';
import { parseMediaPath, resolveMedia } from '../node/server/media.ts';
import { MEDIA_SCHEME } from '../common/bridge.ts';
import { APP_SCHEME, CONTENT_SECURITY_POLICY, appFileFor } from './security.ts';

/**
 * Must run before the app is ready: both schemes are standard and secure, neither can be fetched
 * cross-origin; the app scheme keeps V8's compiled code of the bundle between starts (codeCache).
 */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

const HEADERS = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' };

/** Serves the renderer from its build folder and images through the same checks as browser mode. */
export function handleProtocols(rendererDir: string, media: () => { db: Db; thumbnailDir: string } | null): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const found = appFileFor(request.url);
    if (found === null) return new Response('not found', { status: 404, headers: HEADERS });
    return new Response(await readFile(path.join(rendererDir, found.file)), { headers: { ...HEADERS, 'Content-Type': found.contentType } });
  });
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    const parsed = parseMediaPath(url.pathname, url.search);
    const source = media();
    if (parsed === null || source === null) return new Response('not found', { status: 404, headers: HEADERS });
    const result = await resolveMedia(source.db, source.thumbnailDir, parsed);
    if (!('file' in result)) return new Response(result.body, { status: result.status, headers: { ...HEADERS, 'Content-Type': result.contentType } });
    const body = Readable.toWeb(createReadStream(result.file)) as ReadableStream<Uint8Array>;
    return new Response(body, { headers: { ...HEADERS, 'Content-Type': result.contentType, 'Cache-Control': 'private, max-age=3600' } });
  });
}
