import type { ApiInput, ApiMethod, ApiOutput } from '../../../electron/common/api.ts';
import type { ErrorInfo, Result } from '../../../electron/common/errors.ts';

/** The only code that talks to the main process: over the preload bridge, or HTTP in browser mode. */

interface Bridge {
  invoke(method: string, input: unknown): Promise<Result<unknown>>;
  mediaBase: string;
}

declare global {
  interface Window {
    ooc?: Bridge;
  }
}

export class ApiError extends Error {
  readonly code: ErrorInfo['code'];
  constructor(info: ErrorInfo) {
    super(info.message);
    this.code = info.code;
  }
}

async function overHttp(method: string, input: unknown): Promise<Result<unknown>> {
  const response = await fetch(`/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-OOC-Request': '1' },
    body: JSON.stringify(input),
    credentials: 'same-origin',
  });
  if (response.status === 401) return { ok: false, error: { code: 'BAD_ARGUMENT', message: 'Not signed in: open the address printed by `ooc serve`.' } };
  return (await response.json()) as Result<unknown>;
}

export async function call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
  const result = window.ooc ? await window.ooc.invoke(method, input) : await overHttp(method, input);
  if (!result.ok) throw new ApiError(result.error);
  return result.value as ApiOutput<M>;
}

const mediaBase = (): string => window.ooc?.mediaBase ?? '/media';

export function thumbnailUrl(itemId: number, size: 128 | 256 | 512 = 256): string {
  return `${mediaBase()}/thumb/${itemId}?size=${size}`;
}

export function imageUrl(itemId: number): string {
  return `${mediaBase()}/image/${itemId}`;
}
