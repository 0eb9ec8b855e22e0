import { useEffect, useRef, useState } from 'react';
import { Modal } from './Modal.tsx';
import type { ExportStatus, SplitInfo } from '../../../electron/common/api.ts';
import type { ExportFormat, ExportProgress, ExportSummary, SelectionPreview, SelectionSpec, StratumKey } from '../../../electron/common/export.ts';
import type { PairQuery } from '../../../electron/common/pairs.ts';
import { call, canPickFolders, pickFolder, type ApiError } from '../api/client.ts';
import type { Verdict } from '../../../electron/common/curation.ts';
import { countOf, formatNumber, splitName, VERDICT_NAMES } from '../format.ts';
import { useJobs } from '../state/jobs.ts';
import { describeError } from '../errors.ts';

const FORMATS: { value: ExportFormat; label: string }[] = [
  { value: 'newsclippings', label: 'NewsCLIPpings JSON + data.json' },
  { value: 'jsonl', label: 'JSONL' },
  { value: 'csv', label: 'CSV' },
];
const STRATA: StratumKey[] = ['split', 'subsplit', 'source', 'topic', 'verdict'];

/** A stratum's value as the UI names it elsewhere: the paper's split names, the verdicts' words. */
function stratumValue(splits: SplitInfo[], key: string, value: string): string {
  if (key === 'split' || key === 'subsplit') return splitName(splits, value);
  if (key === 'verdict') return VERDICT_NAMES[value as Verdict] ?? value;
  return value;
}

export interface ExportDialogProps {
  query: PairQuery;
  total: number | null;
  splits: SplitInfo[];
  collections: string[];
  onClose: () => void;
}

/** Export the current filter's pairs or a collection, optionally as a seeded stratified sample, with a preview of the balance. */
export function ExportDialog({ query, total, splits, collections, onClose }: ExportDialogProps) {
  const [from, setFrom] = useState<'filter' | 'collection'>('filter');
  const [collection, setCollection] = useState(collections[0] ?? '');
  const [sampling, setSampling] = useState(false);
  const [perStratum, setPerStratum] = useState(25);
  const [strata, setStrata] = useState<StratumKey[]>(['subsplit']);
  const [seed, setSeed] = useState(1);
  const [formats, setFormats] = useState<ExportFormat[]>(['newsclippings', 'jsonl', 'csv']);
  const [images, setImages] = useState(false);
  const [articles, setArticles] = useState(false);
  const [dir, setDir] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [preview, setPreview] = useState<SelectionPreview | null>(null);
  // The export started from this dialog, followed as the main process pushes its progress.
  const [runId, setRunId] = useState<string | null>(null);
  const run = useJobs().find((r) => r.id === runId) ?? null;
  const status: ExportStatus | null = run && { state: run.state, progress: run.progress as ExportProgress | null, summary: run.summary as ExportSummary | null, error: run.error };
  const [error, setError] = useState<string | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);

  const selection: SelectionSpec = {
    // The query's sort does not matter: an export is in file order.
    ...(from === 'filter' ? { query } : { collection }),
    ...(sampling ? { sample: { perStratum, strata, seed } } : {}),
  };
  const key = JSON.stringify(selection);
  useEffect(() => {
    const timer = window.setTimeout(() => {
      call('export.preview', JSON.parse(key) as SelectionSpec).then((p) => {
        setPreview(p);
        setPreviewError(null);
      }, (err: ApiError) => {
        setPreview(null);
        setPreviewError(describeError(err));
      });
    }, 150);
    return () => window.clearTimeout(timer);
  }, [key]);

  const running = status?.state === 'running';
  // The outcome of the last attempt goes once anything it depended on changes: it no longer applies.
  const attempt = JSON.stringify([key, formats, images, articles, dir, overwrite]);
  const runningRef = useRef(running);
  runningRef.current = running;
  useEffect(() => {
    setError(null);
    if (!runningRef.current) setRunId(null);
  }, [attempt]);
  const toggle = <T,>(list: T[], item: T, on: boolean): T[] => (on ? [...list, item] : list.filter((x) => x !== item));
  return (
    <Modal label="Export" className="export-dialog" canClose={!running} onClose={onClose}>
        <header className="detail-head">
          <h2>Export</h2>
          <button className="close" aria-label="Close export" onClick={onClose} disabled={running}>✕</button>
        </header>
        <fieldset>
          <legend>Pairs</legend>
          <label><input type="radio" checked={from === 'filter'} onChange={() => setFrom('filter')} /> the {total === null ? '…' : formatNumber(total)} pairs matching the current filters ({splitName(splits, query.split)}, {query.subset})</label>
          <label>
            <input type="radio" checked={from === 'collection'} onChange={() => setFrom('collection')} disabled={collections.length === 0} /> the collection{' '}
            <select aria-label="Collection to export" value={collection} onChange={(e) => setCollection(e.target.value)} disabled={from !== 'collection'}>
              {collections.map((c) => (
                <option key={c} value={c}>{c}</option>
              ))}
            </select>
          </label>
        </fieldset>
        <fieldset>
          <legend><label><input type="checkbox" checked={sampling} onChange={(e) => setSampling(e.target.checked)} /> Evaluation sample</label></legend>
          <div className="row">
            <label>Pairs per stratum <input aria-label="Pairs per stratum" type="number" min={1} value={perStratum} onChange={(e) => setPerStratum(Math.max(1, Math.trunc(Number(e.target.value) || 1)))} disabled={!sampling} /></label>
            <label>Seed <input aria-label="Seed" type="number" value={seed} onChange={(e) => setSeed(Math.trunc(Number(e.target.value) || 0))} disabled={!sampling} /></label>
          </div>
          <div className="row">
            Stratify by
            {STRATA.map((s) => (
              <label key={s}><input type="checkbox" checked={strata.includes(s)} onChange={(e) => setStrata(toggle(strata, s, e.target.checked))} disabled={!sampling} /> {s === 'subsplit' ? 'sub-split' : s}</label>
            ))}
          </div>
          <p className="muted small">A pair keeps its pristine and falsified rows together, so every stratum is balanced by label.</p>
        </fieldset>
        {preview && (
          <table className="counts" aria-label="Export preview">
            <thead>
              <tr><th>Stratum</th><th>Available</th><th>Chosen</th><th>Pristine rows</th><th>Falsified rows</th></tr>
            </thead>
            <tbody>
              {preview.strata.map((s) => (
                <tr key={JSON.stringify(s.values)} className={s.chosen < (sampling ? perStratum : 0) ? 'short' : ''}>
                  <th scope="row" title={Object.values(s.values).join(' · ')}>{Object.entries(s.values).map(([k, v]) => stratumValue(splits, k, v)).join(' · ') || 'all'}</th>
                  <td>{s.available}</td>
                  <td>{s.chosen}{sampling && s.chosen < perStratum && <span className="small"> (only {s.available} available)</span>}</td>
                  <td>{s.pristineRows}</td>
                  <td>{s.falsifiedRows}</td>
                </tr>
              ))}
              <tr><th scope="row">Total</th><td /><td>{preview.pairs}</td><td>{preview.pristineRows}</td><td>{preview.falsifiedRows}</td></tr>
            </tbody>
          </table>
        )}
        <fieldset>
          <legend>Files</legend>
          <div className="row">
            {FORMATS.map((f) => (
              <label key={f.value}><input type="checkbox" checked={formats.includes(f.value)} onChange={(e) => setFormats(toggle(formats, f.value, e.target.checked))} /> {f.label}</label>
            ))}
          </div>
          <div className="row">
            <label><input type="checkbox" checked={images} onChange={(e) => setImages(e.target.checked)} /> copy the images</label>
            <label><input type="checkbox" checked={articles} onChange={(e) => setArticles(e.target.checked)} /> copy the articles</label>
          </div>
          {!images && formats.some((f) => f !== 'newsclippings') && (
            <p className="muted small">Without the images, image_path in pairs.jsonl and pairs.csv is the path inside your VisualNews folder (origin/), not inside the export.</p>
          )}
          <label className="wide">
            Folder (full path: a new or empty folder, or a previous export to replace)
            <span className="with-picker">
              <input aria-label="Export folder" value={dir} placeholder="/home/me/exports/human-eval" onChange={(e) => setDir(e.target.value)} />
              {canPickFolders() && <button type="button" onClick={() => void pickFolder('Export into a new folder in…').then((f) => f && setDir(`${f}/ooc-export`))}>Choose…</button>}
            </span>
          </label>
          <label><input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> replace the folder if it holds a previous export</label>
        </fieldset>
        {(error ?? previewError) && <p className="error small" role="alert">{error ?? previewError}</p>}
        <div className="actions">
          {running ? (
            <button type="button" onClick={() => void call('jobs.cancel', { id: runId! }).catch((err: ApiError) => setError(describeError(err)))}>Cancel</button>
          ) : (
            <button
              disabled={dir.trim() === '' || formats.length === 0 || preview === null || preview.pairs === 0}
              onClick={() => {
                setError(null);
                call('export.start', { dir: dir.trim(), selection, formats, images, articles, overwrite }).then((r) => setRunId(r.id), (err: ApiError) => setError(describeError(err)));
              }}
            >
              Export {preview ? countOf(preview.pairs, 'pair') : ''}
            </button>
          )}
        </div>
        {status && status.state !== 'idle' && (
          <div role="status" aria-live="polite" className="small">
            {running && <progress max={1} value={status.progress && status.progress.total > 0 ? status.progress.done / status.progress.total : 0} aria-label="Export progress" />}
            {running && status.progress && `${status.progress.phase === 'rows' ? 'pairs' : 'files'} ${status.progress.done} / ${status.progress.total}`}
            {status.state === 'done' && status.summary && `Exported ${countOf(status.summary.pairs, 'pair')} (${status.summary.rows} rows, ${status.summary.files} files) to ${status.summary.dir}.${status.summary.missing.images + status.summary.missing.articles > 0 ? ` Not found on disk: ${status.summary.missing.images} images, ${status.summary.missing.articles} articles.` : ''}`}
            {status.state === 'cancelled' && 'Cancelled: nothing was written.'}
            {status.state === 'failed' && <p className="error">{status.error && describeError(status.error)}</p>}
          </div>
        )}
    </Modal>
  );
}
