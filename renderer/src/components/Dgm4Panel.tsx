import { useEffect, useState } from 'react';
import type { Dgm4IndexSummary, Dgm4Status } from '../../../electron/common/dgm4.ts';
import type { IndexProgress } from '../../../electron/common/index-types.ts';
import { call, canPickFolders, pickFolder, type ApiError } from '../api/client.ts';
import { describeError } from '../errors.ts';
import { formatNumber } from '../format.ts';
import { useJob } from '../state/jobs.ts';

const counts = (c: Record<string, number>): string =>
  Object.entries(c)
    .map(([reason, n]) => `${formatNumber(n)} ${reason.replace(/_/g, ' ')}`)
    .join(', ');

/** DGM4 beside VisualNews: the folder holding DGM4/, indexing it (a job), and what the index holds. */
export function Dgm4Panel() {
  const job = useJob<IndexProgress, Dgm4IndexSummary>('index-dgm4');
  const [status, setStatus] = useState<Dgm4Status | null>(null);
  const [folder, setFolder] = useState('');
  const [error, setError] = useState<string | null>(null);
  const running = job.state === 'running';
  useEffect(() => {
    call('dgm4.status', {}).then(
      (s) => {
        setStatus(s);
        setFolder((f) => f || s.root || '');
      },
      (err: ApiError) => setError(describeError(err)),
    );
  }, [job.state]);
  const total = status?.splits.reduce((n, s) => n + s.samples, 0) ?? 0;
  const progress = job.progress;
  const percent = progress && progress.bytesTotal > 0 ? Math.min(100, (100 * progress.bytesDone) / progress.bytesTotal) : 0;
  return (
    <section className="card index-panel" aria-label="DGM4">
      <h2>DGM4 (manipulated faces and words)</h2>
      <p className="small muted">DGM4's samples are indexed beside VisualNews and linked to its items by id, so a manipulated image can be shown beside its original.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          call('dgm4.index', { folder: folder.trim() }).catch((err: ApiError) => setError(describeError(err)));
        }}
      >
        <label>
          The folder that holds DGM4/ (DGM4/metadata/&lt;split&gt;.json and the images)
          <span className="with-picker">
            <input aria-label="DGM4 folder" value={folder} onChange={(e) => setFolder(e.target.value)} placeholder="/data" required disabled={running} />
            {canPickFolders() && <button type="button" onClick={() => void pickFolder('The folder holding DGM4/').then((f) => f && setFolder(f))} disabled={running}>Choose…</button>}
          </span>
        </label>
        <div className="actions">
          <button type="submit" disabled={running || folder.trim() === ''}>{status?.root ? 'Index DGM4 again' : 'Index DGM4'}</button>
          {running && <button type="button" onClick={() => void call('dgm4.cancel', {}).catch((err: ApiError) => setError(describeError(err)))}>Cancel</button>}
        </div>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="index-status" role="status" aria-live="polite">
        {running && (
          <>
            <progress max={100} value={percent} aria-label="DGM4 indexing progress" />
            <p className="muted small">{progress ? `${percent.toFixed(0)}% · ${formatNumber(progress.records)} records` : 'starting…'} — the current DGM4 index stays usable meanwhile</p>
          </>
        )}
        {job.state === 'cancelled' && <p>Stopped. Index DGM4 again to continue where it stopped.</p>}
        {job.state === 'failed' && job.error && <p className="error">{describeError(job.error)}</p>}
        {job.state === 'done' && job.summary?.upToDate && <p>Already up to date: DGM4's metadata files had not changed.</p>}
        {!running && status?.root && (
          <>
            <p>
              {formatNumber(total)} samples from {status.root}: {status.splits.map((s) => `${s.split} ${formatNumber(s.samples)}`).join(', ')}. {formatNumber(status.linked)} have their VisualNews item indexed.
            </p>
            {Object.keys(status.skipped).length > 0 && <p className="small">Skipped: {counts(status.skipped)}.</p>}
            {Object.keys(status.notes).length > 0 && <p className="small muted">Kept, with notes: {counts(status.notes)}.</p>}
          </>
        )}
        {!running && status && !status.root && <p className="muted small">Not indexed yet.</p>}
      </div>
    </section>
  );
}
