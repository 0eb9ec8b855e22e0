import { useCallback, useEffect, useRef, useState } from 'react';
import type { EmbedStatus } from '../../../electron/common/api.ts';
import { describeAnn, describeProviders } from '../../../electron/common/describe.ts';
import type { AnnProgress, EmbedJobProgress, EmbedJobSummary, EmbedWhat, EmbeddingSetInfo, ModelsOverview } from '../../../electron/common/models.ts';
import { call, type ApiError } from '../api/client.ts';
import { useJob, useJobs } from '../state/jobs.ts';
import { formatCount } from '../format.ts';
import { describeError } from '../errors.ts';


function Providers({ id }: { id: string }) {
  const [lines, setLines] = useState(['opening the encoders…']);
  useEffect(() => {
    call('models.providers', { id }).then(
      (r) => setLines(r.error === null ? describeProviders(r.providers) : [r.error]),
      (err: ApiError) => setLines([describeError(err)]),
    );
  }, [id]);
  return (
    <span className="small providers" data-testid={`providers-${id}`}>
      {lines.map((line) => (
        <span key={line}>{line}</span>
      ))}
    </span>
  );
}

function percent(done: number, total: number): string {
  return total > 0 ? `${((100 * done) / total).toFixed(0)}%` : '—';
}

function progressText(status: EmbedStatus): string {
  const p = status.progress;
  if (p === null) return 'starting…';
  if (p.phase === 'scoring') return `scoring pairs: ${formatCount(p.done)} / ${formatCount(p.total)}`;
  if (p.phase === 'hashing') return `hashing images for vetting: ${formatCount(p.done)} / ${formatCount(p.total)}`;
  return `${p.kind === 'image' ? 'images' : 'captions'}: ${formatCount(p.done)} / ${formatCount(p.total)} · ${p.perSecond.toFixed(1)}/s · ${p.skipped} skipped`;
}

const ANN_STATE = { none: 'none', current: 'built', stale: 'stale', partial: 'half built' } as const;

/**
 * A set's approximate neighbour index: its state, and Build (Continue, Build again) or, while
 * its job runs, how far it has got and Cancel.
 */
function AnnCell({ set, onError }: { set: EmbeddingSetInfo; onError: (message: string) => void }) {
  const run = useJobs().find((r) => r.kind === 'ann-index' && r.state === 'running' && (r.progress as AnnProgress | null)?.set === set.name && (r.progress as AnnProgress).kind === set.kind);
  const what = `${set.name} ${set.kind === 'image' ? 'images' : 'captions'}`;
  if (run) {
    return (
      <span className="ann-cell">
        <progress max={1} value={run.fraction ?? 0} aria-label={`Index of ${what}`} /> {run.fraction === null ? '' : `${Math.floor(run.fraction * 100)}%`}
        <button type="button" className="link" onClick={() => void call('jobs.cancel', { id: run.id }).catch((err: ApiError) => onError(describeError(err)))}>Cancel</button>
      </span>
    );
  }
  const action = { none: 'Build', current: null, stale: 'Build again', partial: 'Continue' }[set.ann.state];
  return (
    <span className="ann-cell" title={describeAnn(set.ann)}>
      <span className={set.ann.state === 'current' ? undefined : 'muted'} data-testid={`ann-${set.name}-${set.kind}`}>{ANN_STATE[set.ann.state]}</span>
      {action && (
        <button type="button" className="link" aria-label={`${action} the approximate index of ${what}`} onClick={() => void call('neighbours.index', { model: set.name, kind: set.kind }).catch((err: ApiError) => onError(describeError(err)))}>
          {action}
        </button>
      )}
    </span>
  );
}

/** Installed models with the provider each runs on, embedding coverage, pair scores, and embedding from the UI. */
export function ModelsView() {
  const [overview, setOverview] = useState<ModelsOverview | null>(null);
  const status: EmbedStatus = useJob<EmbedJobProgress, EmbedJobSummary>('embed');
  const runs = useJobs();
  const [error, setError] = useState<string | null>(null);
  const [model, setModel] = useState('');
  const [what, setWhat] = useState<EmbedWhat>('all');

  const load = useCallback(() => {
    call('models.get', {}).then(setOverview, (err: ApiError) => setError(describeError(err)));
  }, []);
  useEffect(load, [load]);
  // When an embedding or index run finishes (one that had not when the view opened), the sets, scores and indexes it made are read again.
  const finished = useRef<Set<string> | null>(null);
  useEffect(() => {
    const ended = runs.filter((r) => (r.kind === 'embed' || r.kind === 'ann-index') && r.state !== 'running');
    if (finished.current === null) finished.current = new Set(ended.map((r) => r.id));
    else if (ended.some((r) => !finished.current!.has(r.id))) {
      // An index build that failed says why here (the embed panel shows its own).
      const failed = ended.find((r) => !finished.current!.has(r.id) && r.kind === 'ann-index' && r.state === 'failed');
      if (failed?.error) setError(`${failed.title}: ${describeError(failed.error)}`);
      for (const r of ended) finished.current.add(r.id);
      load();
    }
  }, [runs, load]);

  if (overview === null) return <p className="muted loading">{error ?? 'Loading…'}</p>;
  const chosen = overview.models.find((m) => m.id === model) ?? overview.models.find((m) => m.isDefault);
  const running = status.state === 'running';
  const progress = status.progress;
  return (
    <div className="models-view">
      {error && <p className="error" role="alert">{error}</p>}
      {chosen && !chosen.meaningfulScores && (
        <p className="warning" role="note">
          <strong>{chosen.id}</strong> has random weights: its scores and neighbours are meaningless. It is here so the app can be tried; install
          CLIP ViT-B/32 (see README → CLIP) for real ones.
        </p>
      )}
      <section className="card" aria-label="Models">
        <h2>Installed models</h2>
        <table className="counts">
          <thead>
            <tr><th>Model</th><th>Size</th><th>Weights</th><th>Execution provider</th></tr>
          </thead>
          <tbody>
            {overview.models.map((m) => (
              <tr key={m.id}>
                <th scope="row">
                  {m.id}{m.isDefault && <span className="chip">default</span>}
                  <br />
                  <span className="muted small">{m.dir}</span>
                </th>
                <td>{m.dim}-d</td>
                <td>{m.meaningfulScores ? 'pretrained' : <span className="falsified-text">random</span>}</td>
                <td className="left"><Providers id={m.id} /></td>
              </tr>
            ))}
          </tbody>
        </table>
        {overview.broken.map((b) => (
          <p key={b.dir} className="error small">unusable: {b.dir}: {b.reason}</p>
        ))}
      </section>

      <section className="card" aria-label="Embeddings">
        <h2>Embeddings</h2>
        {overview.sets.length === 0 ? (
          <p className="muted">No embeddings yet. Embed the dataset below, or import NewsCLIPpings' pickles with <code>ooc import-embeddings</code>.</p>
        ) : (
          <table className="counts">
            <thead>
              <tr><th>Set</th><th>Kind</th><th>Vectors</th><th>Coverage</th><th>Origin</th><th className="left" title="An HNSW graph (usearch) whose shortlist, scored exactly, makes neighbours fast at full size">Neighbour index</th></tr>
            </thead>
            <tbody>
              {overview.sets.map((s) => (
                <tr key={`${s.name}:${s.kind}`}>
                  <th scope="row">{s.name}</th>
                  <td>{s.kind === 'image' ? 'images' : 'captions'}</td>
                  <td>{formatCount(s.rows)}</td>
                  <td>{percent(s.rows, overview.items)}</td>
                  <td>{s.origin === 'import' ? 'imported' : 'embedded'}</td>
                  <td className="left"><AnnCell set={s} onError={setError} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted small">
          Neighbours are exact by default: every vector is scored. A built index makes them fast at full size (a shortlist from the graph,
          scored exactly); it goes stale when the set changes, and the neighbours panel can still ask for exact search.
        </p>
        {overview.scores.length > 0 && (
          <table className="counts">
            <thead>
              <tr><th>Pair scores</th><th>Pairs</th><th>Caption–image</th><th>Caption–caption</th><th>State</th></tr>
            </thead>
            <tbody>
              {overview.scores.map((r) => (
                <tr key={r.name}>
                  <th scope="row">{r.name}</th>
                  <td>{formatCount(r.pairs)}</td>
                  <td>{formatCount(r.textImage)}</td>
                  <td>{formatCount(r.textText)}</td>
                  <td>{r.complete ? 'complete' : 'stopped; run again'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="card embed-panel" aria-label="Embed">
        <h2>Embed the dataset</h2>
        <div className="actions">
          <label>
            Model
            <select aria-label="Model" value={chosen?.id ?? ''} onChange={(e) => setModel(e.target.value)} disabled={running}>
              {overview.models.map((m) => (
                <option key={m.id} value={m.id}>{m.id}</option>
              ))}
            </select>
          </label>
          <label>
            What
            <select aria-label="What to embed" value={what} onChange={(e) => setWhat(e.target.value as EmbedWhat)} disabled={running}>
              <option value="all">images and captions</option>
              <option value="images">images</option>
              <option value="captions">captions</option>
            </select>
          </label>
          {running ? (
            <button type="button" onClick={() => void call('embed.cancel', {}).catch((err: ApiError) => setError(describeError(err)))}>Cancel</button>
          ) : (
            <button
              disabled={chosen === undefined}
              onClick={() => {
                setError(null);
                call('embed.start', { what, ...(chosen ? { model: chosen.id } : {}) }).catch((err: ApiError) => setError(describeError(err)));
              }}
            >
              Embed
            </button>
          )}
        </div>
        {status.state !== 'idle' && (
          <div className="index-status" role="status" aria-live="polite">
            {running && <progress max={1} value={progress && progress.total > 0 ? progress.done / progress.total : 0} aria-label="Embedding progress" />}
            <p className="muted small">
              {running && progressText(status)}
              {status.state === 'done' && status.summary &&
                `Done: ${status.summary.embed.kinds.map((k) => `${formatCount(k.embedded)} ${k.kind === 'image' ? 'images' : 'captions'} embedded${Object.keys(k.skipped).length > 0 ? ` (skipped: ${Object.entries(k.skipped).map(([r, n]) => `${n} ${r}`).join(', ')})` : ''}`).join('; ')}. ${describeProviders(status.summary.embed.providers).join(' · ')}`}
              {status.state === 'cancelled' && 'Stopped. Embed again to continue where it stopped.'}
            </p>
            {status.state === 'failed' && status.error && <p className="error">{describeError(status.error)}</p>}
          </div>
        )}
        <p className="muted small">Runs in the background; vectors are kept as they are made, so a stopped run continues where it stopped. Pairs are scored when it ends.</p>
      </section>
    </div>
  );
}
