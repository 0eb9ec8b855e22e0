import { useMemo, useSyncExternalStore } from 'react';
import type { JobRun, JobStatus } from '../../../electron/common/api.ts';
import { call, subscribeJobs } from '../api/client.ts';

/**
 * Every job run of the open dataset, kept current by what the main process pushes: one
 * subscription for the whole page, shared by every view (no view polls).
 */
let runs: JobRun[] = [];
const listeners = new Set<() => void>();
let stop: (() => void) | null = null;

function set(next: JobRun[]): void {
  runs = next;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (stop === null) {
    stop = subscribeJobs(set);
    // The push stream starts with the current list; this covers a page opened before it connects.
    void call('jobs.list', {}).then((r) => runs.length === 0 && set(r.runs), () => undefined);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      stop?.();
      stop = null;
    }
  };
}

/** Every run, newest first. */
export function useJobs(): JobRun[] {
  return useSyncExternalStore(subscribe, () => runs);
}

/** The newest run of a kind as that kind's status (idle when there is none), with the run itself. */
export function useJob<P, S>(kind: string): JobStatus<P, S> & { run: JobRun | null } {
  const all = useJobs();
  const run = all.find((r) => r.kind === kind) ?? null;
  return useMemo(
    () => (run === null ? { state: 'idle', progress: null, summary: null, error: null, run } : { state: run.state, progress: run.progress as P | null, summary: run.summary as S | null, error: run.error, run }),
    [run],
  );
}
