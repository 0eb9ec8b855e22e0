import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { UPLOAD_BODY_LIMITS } from '../../common/vetting.ts';
import { createReadStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JobRun } from '../../common/api.ts';
import { contentSecurityPolicy } from '../../common/csp.ts';
import { OocError, toErrorInfo } from '../../common/errors.ts';
import { dispatch, type Handlers } from '../api/handlers.ts';
import type { Db } from '../store/db.ts';
import { parseMediaPath, resolveMedia, type MediaRequest } from './media.ts';
import { assetType } from '../../common/assets.ts';
import { firstScreenAnswers, firstScreenBlock } from './first-screen.ts';
import { RENDERER_HTML_END, rendererHtmlStart, type RendererBundle } from './renderer-bundle.ts';

export interface ServerOptions {
  db: Db;
  handlers: Handlers;
  renderer: RendererBundle;
  thumbnailDir: string;
  /** The dataset's jobs, whose changes GET /events streams to the page (Server-Sent Events). */
  jobs?: { runs(): JobRun[]; subscribe(listener: (runs: JobRun[]) => void): () => void };
  /** 0 picks a free port. */
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'ooc_token';
const CSP = contentSecurityPolicy();
const SECURITY_HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: http.IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return undefined;
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

const REQUEST_TIMEOUT_MS = 5000;

async function readBody(req: http.IncomingMessage, limit = 1 << 20): Promise<string> {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new OocError('BAD_ARGUMENT', `request body too large (over ${limit} bytes)`);
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new OocError('BAD_ARGUMENT', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Browser mode: the workbench UI and its API over HTTP, on 127.0.0.1 only, behind a random
 * per-launch token. The token arrives once in the URL and is swapped for an HttpOnly,
 * SameSite=Strict cookie; API calls also need a custom header, which other sites cannot send
 * without a CORS preflight we never grant. Files are served only through item ids, resolved
 * inside the dataset root.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const htmlStart = rendererHtmlStart(options.renderer);
  const assets = new Map(
    Object.entries(options.renderer.files).map(([name, body]) => [`/assets/${name}`, { type: assetType(name), body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }]),
  );
  let port = 0;

  // A client gets a few seconds to send its headers and body (a declared 99 GB body that never
  // comes is cut off); a slow response, such as a RISE map, is not limited by this.
  // An idle connection is kept longer than Chromium keeps its idle sockets (5 minutes): were the
  // server to close one first (Node's default is 5 s), a request the browser sent on it at that
  // moment fails with "Failed to fetch" and is not retried (API calls are POSTs). Seen under load.
  const server = http.createServer({ headersTimeout: REQUEST_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 500, keepAliveTimeout: 10 * 60_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: toErrorInfo(err) });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      send(res, 421, 'text/plain; charset=utf-8', 'wrong host');
      return;
    }
    const url = new URL(req.url ?? '/', `http://${host}`);
    const queryToken = url.searchParams.get('token') ?? undefined;
    if (req.method === 'GET' && queryToken !== undefined && sameToken(queryToken, token)) {
      url.searchParams.delete('token');
      send(res, 303, 'text/plain; charset=utf-8', '', {
        Location: `${url.pathname}${url.search}`,
        'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      });
      return;
    }
    const bearer = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined;
    if (!sameToken(cookieToken(req) ?? bearer, token)) {
      send(res, 401, 'text/plain; charset=utf-8', 'OOC Workbench: open the address printed by `ooc serve`; it carries this session\'s access token.');
      return;
    }
    const path = url.pathname;
    if (path.startsWith('/api/')) {
      if (req.method !== 'POST' || req.headers['x-ooc-request'] !== '1') {
        sendJson(res, 405, { ok: false, error: { code: 'BAD_ARGUMENT', message: 'API calls are POST with the X-OOC-Request header' } });
        return;
      }
      let input: unknown;
      try {
        const body = await readBody(req, UPLOAD_BODY_LIMITS[path.slice('/api/'.length)]);
        input = body.length === 0 ? {} : JSON.parse(body);
      } catch (err) {
        sendJson(res, 400, { ok: false, error: { code: 'BAD_ARGUMENT', message: `the request body is not JSON: ${err instanceof Error ? err.message : String(err)}` } });
        return;
      }
      let method: string;
      try {
        method = decodeURIComponent(path.slice('/api/'.length));
      } catch {
        method = path; // malformed escapes: no such method, answered as such below
      }
      sendJson(res, 200, await dispatch(options.handlers, method, input));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed');
      return;
    }
    if (path === '/events') return streamJobs(req, res);
    const asset = assets.get(path);
    if (asset) {
      // Kept by the browser and revalidated (a 304 when unchanged): a kept script also keeps its
      // compiled code, which saves most of a later start's compiling.
      const cache = { 'Cache-Control': 'no-cache', ETag: asset.etag };
      return req.headers['if-none-match'] === asset.etag ? send(res, 304, asset.type, '', cache) : send(res, 200, asset.type, asset.body, cache);
    }
    const media = parseMediaPath(path, url.search);
    if (media) return serveMedia(res, media);
    if (path.startsWith('/assets/') || path.startsWith('/media/')) return send(res, 404, 'text/plain; charset=utf-8', 'not found');
    // The page's start goes at once; the first screen's answers follow it as they are worked out.
    // Only the workbench's own address gets them (its view is in the query), not a stray path
    // such as the browser's /favicon.ico, which would work them out again at every open.
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    if (req.method === 'HEAD') return void res.end();
    res.write(htmlStart);
    res.end((path === '/' ? firstScreenBlock(await firstScreenAnswers(options.handlers, url.search)) : '') + RENDERER_HTML_END);
  }

  /** Every job run, now and each time one changes, as Server-Sent Events (`event: jobs`). */
  function streamJobs(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (options.jobs === undefined) return send(res, 404, 'text/plain; charset=utf-8', 'no jobs here');
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    const write = (runs: JobRun[]): void => void res.write(`event: jobs\ndata: ${JSON.stringify(runs)}\n\n`);
    write(options.jobs.runs());
    const unsubscribe = options.jobs.subscribe(write);
    req.on('close', unsubscribe);
  }

  async function serveMedia(res: http.ServerResponse, request: MediaRequest): Promise<void> {
    const media = await resolveMedia(options.db, options.thumbnailDir, request);
    if (media.status !== 200 || !('file' in media)) {
      send(res, media.status, media.contentType, 'body' in media ? media.body : '');
      return;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': media.contentType, 'Cache-Control': 'private, max-age=3600' });
    createReadStream(media.file).pipe(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Event streams stay open until the page goes: end them, or closing would wait for ever.
        server.closeAllConnections();
      }),
  };
}
