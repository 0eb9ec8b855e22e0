import { useEffect, useState } from 'react';
import type { NeighbourItem, NeighbourSide } from '../../../electron/common/models.ts';
import type { PairSummary } from '../../../electron/common/pairs.ts';
import { call, type ApiError } from '../api/client.ts';
import { PairImage } from './PairImage.tsx';
import { describeError } from '../errors.ts';

export interface NeighboursPanelProps {
  pair: PairSummary;
  /** Embedding sets with both or one kind, by name. */
  models: string[];
  randomModels: string[];
  thumbnail: (itemId: number) => string;
  explain: (itemId: number) => Promise<string | null>;
  /** Opens an item's page (every pair using it). */
  onOpenItem: (itemId: number) => void;
}

type Origin = 'caption' | 'pristine' | 'falsified';

const KS = [12, 24, 50, 100, 200];

/** What a neighbour is to the pair: its own caption or one of its own images. */
function ownRole(pair: PairSummary, n: NeighbourItem, to: NeighbourSide): string | null {
  if (to === 'caption') return n.itemId === pair.captionId ? "this pair's caption" : null;
  if (n.itemId === pair.pristine?.imageId) return "this pair's pristine image";
  if (n.itemId === pair.falsified?.imageId) return "this pair's falsified image";
  return null;
}

/** The pair's caption explained against a neighbour's image (occlusion), shown over its thumbnail. */
function ExplainAgainst({ pair, n, thumbnail }: { pair: PairSummary; n: NeighbourItem; thumbnail: (itemId: number) => string }) {
  const [state, setState] = useState<{ heatmap: string | null; score: number; model: string } | { error: string } | 'running' | null>(null);
  if (state === null) {
    return (
      <button
        className="link small"
        onClick={() => {
          setState('running');
          call('saliency.explain', { imageId: n.itemId, captionId: pair.captionId, method: 'occlusion' }).then(
            (r) => setState({ heatmap: r.heatmap, score: r.score, model: r.model }),
            (err: ApiError) => setState({ error: describeError(err) }),
          );
        }}
      >
        Explain the caption on this image
      </button>
    );
  }
  if (state === 'running') return <span className="small muted" role="status">Explaining…</span>;
  if ('error' in state) return <span className="error small">{state.error}</span>;
  return (
    <figure className="neighbour-explained" aria-label={`The caption explained on image ${n.itemId}`}>
      <span className="saliency-view small-view">
        <img src={thumbnail(n.itemId)} alt="" />
        {state.heatmap && <img className="heat" src={state.heatmap} alt="" style={{ opacity: 0.5 }} />}
      </span>
      <figcaption className="small">{state.model} cosine {state.score.toFixed(3)}</figcaption>
    </figure>
  );
}

/** Nearest neighbours of the pair's caption or either image, among images or captions, under a chosen set of embeddings. */
export function NeighboursPanel({ pair, models, randomModels, thumbnail, explain, onOpenItem }: NeighboursPanelProps) {
  const [model, setModel] = useState(models[0] ?? '');
  const [origin, setOrigin] = useState<Origin>('caption');
  const [to, setTo] = useState<NeighbourSide>('image');
  const [k, setK] = useState(12);
  const [result, setResult] = useState<{ items: NeighbourItem[]; seconds: number } | null>(null);
  const [state, setState] = useState<'idle' | 'loading' | 'error'>('idle');
  const [error, setError] = useState('');
  useEffect(() => setResult(null), [pair.pairId, model, origin, to, k]);

  if (models.length === 0) return <p className="muted small">No embeddings yet: embed the dataset in the Models view to find neighbours.</p>;
  const itemId = origin === 'caption' ? pair.captionId : origin === 'pristine' ? pair.pristine?.imageId : pair.falsified?.imageId;
  const from: NeighbourSide = origin === 'caption' ? 'caption' : 'image';
  const find = (): void => {
    if (itemId === undefined) return;
    setState('loading');
    call('neighbours.get', { itemId, from, to, model, k }).then(
      (r) => {
        setResult(r);
        setState('idle');
      },
      (err: ApiError) => {
        setError(describeError(err));
        setState('error');
      },
    );
  };
  return (
    <div className="neighbours">
      <div className="neighbour-controls">
        <select aria-label="Neighbours of" value={origin} onChange={(e) => setOrigin(e.target.value as Origin)}>
          <option value="caption">the caption</option>
          <option value="pristine" disabled={!pair.pristine}>the pristine image</option>
          <option value="falsified" disabled={!pair.falsified}>the falsified image</option>
        </select>
        <span className="muted">among</span>
        <select aria-label="Neighbours among" value={to} onChange={(e) => setTo(e.target.value as NeighbourSide)}>
          <option value="image">images</option>
          <option value="caption">captions</option>
        </select>
        <select aria-label="Neighbours by" value={model} onChange={(e) => setModel(e.target.value)}>
          {models.map((m) => (
            <option key={m} value={m}>{m}</option>
          ))}
        </select>
        <select aria-label="How many neighbours" value={k} onChange={(e) => setK(Number(e.target.value))}>
          {KS.map((n) => (
            <option key={n} value={n}>{n} nearest</option>
          ))}
        </select>
        <button onClick={find} disabled={state === 'loading' || itemId === undefined}>{state === 'loading' ? 'Searching…' : 'Find'}</button>
      </div>
      {randomModels.includes(model) && <p className="warning small">{model} has random weights: these neighbours are meaningless.</p>}
      {state === 'error' && <p className="error small">{error}</p>}
      {result && (
        <>
          <p className="muted small">{result.items.length} nearest by {model} cosine, in {(result.seconds * 1000).toFixed(0)} ms</p>
          <ol className={`neighbour-list ${to}`} aria-label="Neighbours">
            {result.items.map((n) => {
              const own = ownRole(pair, n, to);
              return (
                <li key={n.itemId} title={n.caption ?? ''} className={own ? 'own' : undefined}>
                  {to === 'image' && <PairImage itemId={n.itemId} role="Neighbour" caption={n.caption ?? ''} src={thumbnail(n.itemId)} explain={explain} />}
                  {own && <span className="own-badge">{own}</span>}
                  <span className="neighbour-score" title={`${model} cosine`}>cosine {n.score.toFixed(3)}</span>
                  <span className="neighbour-caption">{n.caption || <em className="muted">(empty caption)</em>}</span>
                  <span className="muted small">
                    <button type="button" className="link" aria-label={`Open item ${n.itemId}: every pair using it`} onClick={() => onOpenItem(n.itemId)}>item {n.itemId}</button>
                    {n.source ? ` · ${n.source}` : ''}
                  </span>
                  {to === 'image' && <ExplainAgainst key={`${pair.pairId}-${n.itemId}`} pair={pair} n={n} thumbnail={thumbnail} />}
                </li>
              );
            })}
          </ol>
        </>
      )}
    </div>
  );
}
