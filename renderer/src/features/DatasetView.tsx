import { useState } from 'react';
import type { AppInfo, IndexStatus } from '../../../electron/common/api.ts';
import type { IndexProgress, IndexSummary } from '../../../electron/common/index-types.ts';
import { call, type ApiError } from '../api/client.ts';
import { IndexPanel } from '../components/IndexPanel.tsx';
import { Dgm4Panel } from '../components/Dgm4Panel.tsx';
import { useJob } from '../state/jobs.ts';
import { describeError } from '../errors.ts';

/** Indexing from the UI: starts a run and shows its pushed progress (the app reads the new index once it is live). */
export function DatasetView({ info }: { info: AppInfo }) {
  const status: IndexStatus = useJob<IndexProgress, IndexSummary>('index');
  const [error, setError] = useState<string | null>(null);

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
      <Dgm4Panel />
      <p className="muted small">Database: {info.database}{info.indexedAt ? ` · last indexed ${new Date(info.indexedAt).toLocaleString()}` : ''}</p>
    </div>
  );
}
