import { useEffect, useRef, useState } from 'react';
import type { AppInfo, IndexStatus, JobRun } from '../../../electron/common/api.ts';
import type { IndexProgress, IndexSummary } from '../../../electron/common/index-types.ts';
import { call, type ApiError } from '../api/client.ts';
import { IndexPanel } from '../components/IndexPanel.tsx';
import { useJob } from '../state/jobs.ts';
import { describeError } from '../errors.ts';

/** Indexing from the UI: starts a run, shows its pushed progress, and tells the app when a new index is live. */
export function DatasetView({ info, onIndexed }: { info: AppInfo; onIndexed: () => void }) {
  const { run, ...status }: IndexStatus & { run: JobRun | null } = useJob<IndexProgress, IndexSummary>('index');
  const [error, setError] = useState<string | null>(null);
  // A run that had finished when the view opened is old news; one finishing now means a new index is live.
  const announced = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    if (announced.current === undefined) announced.current = run?.state === 'running' ? null : (run?.id ?? null);
    else if (run?.state === 'done' && run.id !== announced.current) {
      announced.current = run.id;
      onIndexed();
    }
  }, [run, onIndexed]);

  return (
    <div className="dataset-view">
      {error && <p className="error" role="alert">{error}</p>}
      <IndexPanel
        roots={info.roots}
        status={status}
        onStart={(visualnews, clippings) => {
          setError(null);
          call('index.start', { visualnews, ...(clippings === undefined ? {} : { clippings }) }).catch((err: ApiError) => setError(describeError(err)));
        }}
        onCancel={() => void call('index.cancel', {}).catch((err: ApiError) => setError(describeError(err)))}
      />
      <p className="muted small">Database: {info.database}{info.indexedAt ? ` · last indexed ${new Date(info.indexedAt).toLocaleString()}` : ''}</p>
    </div>
  );
}
