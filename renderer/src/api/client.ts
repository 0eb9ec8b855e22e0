import type { ApiInput, ApiMethod, ApiOutput, JobRun } from '../../../electron/common/api.ts';
import { FIRST_SCREEN_ID, type FirstScreenAnswer } from '../../../electron/common/view-state.ts';
import type { ErrorInfo, Result } from '../../../electron/common/errors.ts';

/** The only code that talks to the main process: over the preload bridge, or HTTP in browser mode. */

interface Bridge {
  invoke(method: string, input: unknown): Promise<Result<unknown>>;
  pickFolder?(title: string): Promise<unknown>;
  reportPdf?(caseId: number): Promise<Result<unknown>>;
  onJobs?(callback: (runs: unknown) => void): () => void;
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

const invoke = (method: string, input: unknown): Promise<Result<unknown>> => (window.ooc ? window.ooc.invoke(method, input) : overHttp(method, input));

interface EarlyCall {
  input: string;
  answer: Promise<Result<unknown>>;
  /** The answer's value once it has come, when it is not an error. */
  value?: unknown;
}

/** Calls started before any view asks for them (callEarly), by method. */
const early = new Map<string, EarlyCall>();

/**
 * Starts a call now, ahead of the view that will make it (as the bundle loads, or as the view
 * state changes), so that it does not wait on rendering or on one call after another: the
 * first `call` (or `takeEarly`) of that method with the same input takes its answer; asking
 * twice for the same input while it waits starts one call. A call of the method with another
 * input, or an answer that is an error, drops it, so nothing stale is handed out later.
 * Resolves once the answer has come.
 */
export function callEarly<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<unknown> {
  const text = JSON.stringify(input);
  const asked = early.get(method);
  if (asked?.input === text) return asked.answer;
  const entry: EarlyCall = { input: text, answer: invoke(method, input) };
  early.set(method, entry);
  const drop = (): void => {
    if (early.get(method) === entry) early.delete(method);
  };
  entry.answer.then((result) => (result.ok ? (entry.value = result.value) : drop()), drop);
  return entry.answer;
}

/**
 * Takes the answers the server sent with the page (browser mode: a JSON block, FIRST_SCREEN_ID)
 * as early calls that have already been answered.
 */
export function takeSentAnswers(): void {
  const block = document.getElementById(FIRST_SCREEN_ID);
  if (block === null) return;
  let answers: FirstScreenAnswer[];
  try {
    answers = JSON.parse(block.textContent ?? '[]') as FirstScreenAnswer[];
  } catch {
    return; // the calls are made instead
  }
  for (const { method, input, value } of answers) early.set(method, { input, answer: Promise.resolve({ ok: true, value }), value });
}

/**
 * The answer of an early call with this input if it has already come, taken (synchronously, so
 * that a view's first render can show it), or undefined.
 */
export function takeEarly<M extends ApiMethod>(method: M, input: ApiInput<M>): ApiOutput<M> | undefined {
  const asked = early.get(method);
  if (asked === undefined || asked.input !== JSON.stringify(input) || !('value' in asked)) return undefined;
  early.delete(method);
  return asked.value as ApiOutput<M>;
}

export async function call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
  const asked = early.get(method);
  early.delete(method);
  const result = await (asked?.input === JSON.stringify(input) ? asked.answer : invoke(method, input));
  if (!result.ok) throw new ApiError(result.error);
  return result.value as ApiOutput<M>;
}

const mediaBase = (): string => window.ooc?.mediaBase ?? '/media';

export function thumbnailUrl(itemId: number, size: 128 | 256 | 512 = 256): string {
  return `${mediaBase()}/thumb/${itemId}?size=${size}`;
}

/** A DGM4 sample's image, by split and row. */
export function dgm4ImageUrl(split: string, position: number): string {
  return `${mediaBase()}/dgm4/${encodeURIComponent(split)}/${position}`;
}

export function imageUrl(itemId: number): string {
  return `${mediaBase()}/image/${itemId}`;
}

const pendingProblems = new Map<number, ((problem: string | null) => void)[]>();
let problemTimer: number | undefined;

/**
 * Why an item's image cannot be shown, or null. Rows that fail to load together are explained in
 * one call: a dataset without its images must not become a request per row.
 */
export function explainImage(itemId: number): Promise<string | null> {
  return new Promise((resolve) => {
    pendingProblems.set(itemId, [...(pendingProblems.get(itemId) ?? []), resolve]);
    window.clearTimeout(problemTimer);
    problemTimer = window.setTimeout(flushProblems, 30);
  });
}

function flushProblems(): void {
  const batch = [...pendingProblems.entries()].slice(0, 200);
  for (const [id] of batch) pendingProblems.delete(id);
  if (pendingProblems.size > 0) problemTimer = window.setTimeout(flushProblems, 0);
  call('images.problems', { ids: batch.map(([id]) => id) }).then(
    ({ problems }) => batch.forEach(([id, waiting]) => waiting.forEach((resolve) => resolve(problems[id] ?? null))),
    () => batch.forEach(([, waiting]) => waiting.forEach((resolve) => resolve('the image could not be loaded'))),
  );
}

/**
 * Calls back with every job run each time one changes, pushed by the main process (IPC in the
 * desktop app, Server-Sent Events in browser mode); returns the unsubscribe.
 */
export function subscribeJobs(callback: (runs: JobRun[]) => void): () => void {
  if (window.ooc?.onJobs) return window.ooc.onJobs((runs) => callback(runs as JobRun[]));
  const events = new EventSource('/events');
  events.addEventListener('jobs', (e) => callback(JSON.parse((e as MessageEvent<string>).data) as JobRun[]));
  return () => events.close();
}

/** Whether a native folder picker is there (the desktop app; in browser mode a path is typed). */
export function canPickFolders(): boolean {
  return typeof window.ooc?.pickFolder === 'function';
}

/** Whether the app can print a case's report to PDF itself (the desktop app; in a browser, print the saved HTML). */
export function canPrintReports(): boolean {
  return typeof window.ooc?.reportPdf === 'function';
}

/** Prints a case's report to a PDF the user places with the system's save dialog: the path, or null when cancelled. */
export async function saveReportPdf(caseId: number): Promise<string | null> {
  const result = await window.ooc!.reportPdf!(caseId);
  if (!result.ok) throw new ApiError(result.error);
  return typeof result.value === 'string' ? result.value : null;
}

/** Asks the user for a folder with the system's picker; null when cancelled or unavailable. */
export async function pickFolder(title: string): Promise<string | null> {
  const chosen = await window.ooc?.pickFolder?.(title);
  return typeof chosen === 'string' ? chosen : null;
}
