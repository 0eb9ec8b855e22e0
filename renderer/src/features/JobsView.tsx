import { useEffect, useState } from 'react';
import type { JobRun } from '../../../electron/common/api.ts';
import { call, type ApiError } from '../api/client.ts';
import { useJobs } from '../state/jobs.ts';
import { describeError } from '../errors.ts';

function duration(run: JobRun, now: number): string {
  const ms = (run.endedAt === null ? now : Date.parse(run.endedAt)) - Date.parse(run.startedAt);
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

const STATE_NAMES: Record<JobRun['state'], string> = { running: 'running', done: 'done', failed: 'failed', cancelled: 'cancelled' };

/** Every job of this dataset, running and recent: progress as it is pushed, cancel, duration, and why one failed. */
export function JobsView() {
  const runs = useJobs();
  const [error, setError] = useState<string | null>(null);
  // Durations of running jobs tick once a second.
  const [now, setNow] = useState(() => Date.now());
  const running = runs.some((r) => r.state === 'running');
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [running]);
  return (
    <div className="jobs-view">
      <section className="card" aria-label="Jobs">
        <h2>Jobs</h2>
        {error && <p className="error" role="alert">{error}</p>}
        {runs.length === 0 ? (
          <p className="muted">No jobs yet. Indexing (Dataset), embedding (Models), exports and saliency maps (Pairs) show here while they run and after.</p>
        ) : (
          <table className="counts jobs">
            <thead>
              <tr><th>Job</th><th>State</th><th>Progress</th><th>Started</th><th>Took</th><th /></tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.id} className={run.state}>
                  <th scope="row">{run.title}</th>
                  <td><span className={`job-state ${run.state}`}>{STATE_NAMES[run.state]}</span></td>
                  <td className="job-progress">
                    {run.state === 'running' && <progress max={1} value={run.fraction ?? undefined} aria-label={`Progress of ${run.title}`} />}
                    {(run.state === 'running' || (run.state === 'cancelled' && run.progress !== null)) && <span className="small muted">{run.state === 'cancelled' ? `stopped at ${run.note}` : run.note}</span>}
                    {run.error && run.state === 'failed' && <span className="error small job-error">{describeError(run.error)}</span>}
                  </td>
                  <td className="small">{new Date(run.startedAt).toLocaleTimeString()}</td>
                  <td className="small">{duration(run, now)}</td>
                  <td>
                    {run.state === 'running' && run.cancellable && (
                      <button className="secondary" onClick={() => void call('jobs.cancel', { id: run.id }).catch((err: ApiError) => setError(describeError(err)))}>
                        Cancel
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
