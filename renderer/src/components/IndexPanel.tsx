import { useState } from 'react';
import type { AppInfo, IndexStatus } from '../../../electron/common/api.ts';
import { canPickFolders, pickFolder } from '../api/client.ts';
import { describeError } from '../errors.ts';
import { formatNumber } from '../format.ts';

export interface IndexPanelProps {
  roots: AppInfo['roots'];
  status: IndexStatus | null;
  onStart: (visualnews: string, clippings: string | undefined) => void;
  onCancel: () => void;
}

function percent(status: IndexStatus): number {
  const p = status.progress;
  return p && p.bytesTotal > 0 ? Math.min(100, (100 * p.bytesDone) / p.bytesTotal) : 0;
}

/** The dataset folders, and indexing them: a form, then a progress bar with a cancel button. */
export function IndexPanel({ roots, status, onStart, onCancel }: IndexPanelProps) {
  const [visualnews, setVisualnews] = useState(roots.visualnews ?? '');
  const [clippings, setClippings] = useState(roots.clippings ?? '');
  const running = status?.state === 'running';
  return (
    <section className="card index-panel" aria-label="Dataset">
      <h2>Dataset</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onStart(visualnews.trim(), clippings.trim() || undefined);
        }}
      >
        <label>
          VisualNews origin folder (holding data.json), or data.json itself
          <span className="with-picker">
            <input aria-label="VisualNews folder" value={visualnews} onChange={(e) => setVisualnews(e.target.value)} placeholder="/data/visual_news/origin" required disabled={running} />
            {canPickFolders() && <button type="button" onClick={() => void pickFolder('VisualNews origin folder').then((f) => f && setVisualnews(f))} disabled={running}>Choose…</button>}
          </span>
        </label>
        <label>
          news_clippings folder (optional)
          <span className="with-picker">
            <input aria-label="NewsCLIPpings folder" value={clippings} onChange={(e) => setClippings(e.target.value)} placeholder="/data/news_clippings" disabled={running} />
            {canPickFolders() && <button type="button" onClick={() => void pickFolder('news_clippings folder').then((f) => f && setClippings(f))} disabled={running}>Choose…</button>}
          </span>
        </label>
        <div className="actions">
          <button type="submit" disabled={running || visualnews.trim() === ''}>{roots.visualnews ? 'Index again' : 'Index'}</button>
          {running && <button type="button" onClick={onCancel}>Cancel</button>}
        </div>
      </form>
      {status && status.state !== 'idle' && (
        <div className="index-status" role="status" aria-live="polite">
          {running && (
            <>
              <progress max={100} value={percent(status)} aria-label="Indexing progress" />
              <p className="muted small">
                {status.progress ? `${status.progress.phase}: ${percent(status).toFixed(0)}% · ${formatNumber(status.progress.records)} records` : 'starting…'} — the current index stays usable meanwhile
              </p>
            </>
          )}
          {status.state === 'done' && status.summary && (
            <p>
              {status.summary.upToDate ? 'Already up to date: nothing had changed.' : `Indexed in ${status.summary.seconds.toFixed(1)} s.`}{' '}
              {formatNumber(status.summary.stats.items.total)} items, {formatNumber(status.summary.stats.pairs)} pairs
              {Object.keys(status.summary.stats.skipped).length > 0 && <>; skipped: {Object.entries(status.summary.stats.skipped).map(([k, v]) => `${k} ${v}`).join(', ')}</>}.
            </p>
          )}
          {status.state === 'cancelled' && <p>Stopped. Index again to continue where it stopped.</p>}
          {status.state === 'failed' && status.error && <p className="error">{describeError(status.error)}</p>}
          {status.summary?.unreadableFiles.map((f) => (
            <p key={f} className="error small">could not read: {f}</p>
          ))}
        </div>
      )}
    </section>
  );
}
