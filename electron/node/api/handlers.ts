import { dgm4Handlers } from './dgm4-handlers.ts';
import type { ApiArgs, ApiMethod, ApiOutput } from '../../common/api.ts';
import { toErrorInfo, type Result } from '../../common/errors.ts';
import { API_INPUTS, parseInput } from '../../common/schemas.ts';
import type { JobCenter } from '../jobs/job-center.ts';
import { InProcessTasks, type TaskRunner } from '../jobs/tasks.ts';
import { explainDatabaseError, type Db } from '../store/db.ts';
import { browseHandlers } from './browse-handlers.ts';
import { candidateHandlers } from './candidate-handlers.ts';
import { curationHandlers } from './curation-handlers.ts';
import { evaluationHandlers } from './evaluation-handlers.ts';
import { headHandlers } from './head-handlers.ts';
import { exportHandlers } from './export-handlers.ts';
import { jobHandlers } from './job-handlers.ts';
import { modelHandlers } from './model-handlers.ts';
import { saliencyHandlers } from './saliency-handlers.ts';
import { vettingHandlers } from './vetting-handlers.ts';

export interface ApiContext {
  db: Db;
  databaseFile: string;
  demo: boolean;
  version: string;
  /** The dataset's long jobs (indexing, embedding, exporting …); without it, those calls are refused. */
  jobs?: JobCenter;
  /** Where saliency maps and neighbour searches run: a worker pool (the app, browser mode), else the caller. */
  tasks?: TaskRunner;
}

/** A domain's methods, each on its input as the schema validated it (schemas.ts). */
export type Implementations<M extends ApiMethod = ApiMethod> = { [K in M]: (input: ApiArgs<K>) => Promise<ApiOutput<K>> | ApiOutput<K> };

/** Every API method, taking unvalidated input (it arrives over IPC or HTTP). */
export type Handlers = { [M in ApiMethod]: (input: unknown) => Promise<ApiOutput<M>> | ApiOutput<M> };

/**
 * The API: each domain's methods, behind one boundary that validates every input against its
 * schema and rewrites SQLite's errors to name the database file and say what to do.
 */
export function createHandlers(ctx: ApiContext): Handlers {
  const tasks = ctx.tasks ?? new InProcessTasks(ctx.db);
  const implementations: Implementations = {
    ...browseHandlers(ctx, tasks),
    ...candidateHandlers(ctx.db, tasks, ctx.jobs),
    ...curationHandlers(ctx.db),
    ...dgm4Handlers(ctx.db, tasks, ctx.jobs),
    ...exportHandlers(ctx.db),
    ...evaluationHandlers(ctx, tasks),
    ...headHandlers(ctx),
    ...jobHandlers(ctx, ctx.version),
    ...modelHandlers(ctx.db, tasks),
    ...saliencyHandlers(tasks, ctx.jobs),
    ...vettingHandlers(ctx, tasks),
  };
  const handlers: Record<string, (input: unknown) => unknown> = {};
  for (const method of Object.keys(API_INPUTS) as ApiMethod[]) {
    const implementation = implementations[method] as (input: unknown) => unknown;
    // Sync handlers stay sync: callers (and the tests) see a throw where they saw one before.
    handlers[method] = (input) => {
      const explain = (err: unknown): never => {
        throw explainDatabaseError(err, ctx.databaseFile);
      };
      const args = parseInput(API_INPUTS[method], input);
      try {
        const result = implementation(args);
        return result instanceof Promise ? result.catch(explain) : result;
      } catch (err) {
        return explain(err);
      }
    };
  }
  return handlers as unknown as Handlers;
}

/** Runs one call, turning every failure into an error result the UI can show. */
export async function dispatch(handlers: Handlers, method: string, input: unknown): Promise<Result<unknown>> {
  if (!Object.hasOwn(handlers, method)) return { ok: false, error: { code: 'BAD_ARGUMENT', message: `unknown API method ${JSON.stringify(method)}` } };
  try {
    return { ok: true, value: await handlers[method as ApiMethod](input) };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}
