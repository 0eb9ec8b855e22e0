import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppInfo, IndexStatus } from '../../../electron/common/api.ts';
import { call } from '../api/client.ts';
import { IndexPanel } from '../components/IndexPanel.tsx';

/** Indexing from the UI: starts a run, polls its progress, and tells the app when a new index is live. */
export function DatasetView({ info, onIndexed }: { info: AppInfo; onIndexed: () => void }) {
  const [status, setStatus] = useState<IndexStatus | null>(null);
  const [error, setError] = useState<string | null>(null);

  const poll = useCallback(() => {
    call('index.status', {}).then(setStatus, (err: Error) => setError(err.message));
  }, []);
  useEffect(poll, [poll]);
  useEffect(() => {
    if (status?.state !== 'running') return;
    const timer = window.setTimeout(poll, 400);
    return () => window.clearTimeout(timer);
  }, [status, poll]);
  // The summary already known when the view opened is old news; a new one means a new index is live.
  const seen = useRef<IndexStatus['summary'] | undefined>(undefined);
  useEffect(() => {
    if (status === null) return;
    if (seen.current === undefined) seen.current = status.summary;
    else if (status.state === 'done' && status.summary !== seen.current) {
      seen.current = status.summary;
      onIndexed();
    }
  }, [status, onIndexed]);

  return (
    <div className="dataset-view">
      {error && <p className="error" role="alert">{error}</p>}
      <IndexPanel
        roots={info.roots}
        status={status}
        onStart={(visualnews, clippings) => {
          setError(null);
          call('index.start', { visualnews, ...(clippings === undefined ? {} : { clippings }) }).then(setStatus, (err: Error) => setError(err.message));
        }}
        onCancel={() => void call('index.cancel', {}).then(setStatus, (err: Error) => setError(err.message))}
      />
      <p className="muted small">Database: {info.database}{info.indexedAt ? ` · last indexed ${new Date(info.indexedAt).toLocaleString()}` : ''}</p>
    </div>
  );
}
