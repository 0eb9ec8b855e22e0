import { useEffect, useState } from 'react';
import type { NeighbourItem, NeighbourMethod, NeighbourSide } from '../../../electron/common/models.ts';
import type { PairSummary } from '../../../electron/common/pairs.ts';
import type { NeighbourScope } from '../../../electron/common/schemas.ts';
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
  /** What a search can be restricted to. */
  scopes: NeighbourScopes;
}

export interface NeighbourScopes {
  files: { split: string; subset: string; name: string }[];
  sources: string[];
  topics: string[];
}

/** A scope as an option value: '' (anywhere), "file:<split>/<subset>", "source:<name>" or "topic:<name>". */
function scopeOf(value: string): NeighbourScope {
  const at = value.indexOf(':');
  const [kind, name] = [value.slice(0, at), value.slice(at + 1)];
  if (kind === 'file') {
    const slash = name.lastIndexOf('/');
    return { split: name.slice(0, slash), subset: name.slice(slash + 1) };
  }
  return kind === 'source' ? { source: name } : kind === 'topic' ? { topic: name } : {};
}

/** How a scope reads after "within": "Merged / Balanced / test", "source bbc", "topic world". */
function scopeText(scope: NeighbourScope, scopes: NeighbourScopes): string {
  if (scope.source !== undefined) return `source ${scope.source}`;
  if (scope.topic !== undefined) return `topic ${scope.topic}`;
  const file = scopes.files.find((f) => f.split === scope.split && f.subset === scope.subset);
  return file ? `${file.name} / ${file.subset}` : 'the whole corpus';
}

/** The scope's options, the pair's own file, source and topic first in each group. */
function ScopeOptions({ pair, scopes }: { pair: PairSummary; scopes: NeighbourScopes }) {
  const own = (values: string[], mine: string | null): string[] => (mine !== null && values.includes(mine) ? [mine, ...values.filter((v) => v !== mine)] : values);
  const files = own(scopes.files.map((f) => `${f.split}/${f.subset}`), `${pair.split}/${pair.subset}`);
  const fileName = (key: string): string => {
    const f = scopes.files.find((x) => `${x.split}/${x.subset}` === key)!;
    return `${f.name} / ${f.subset}`;
  };
  const mark = (value: string, mine: string | null): string => (value === mine ? ' (this pair’s)' : '');
  return (
    <>
      <option value="">the whole corpus</option>
      <optgroup label="Used by the split file">
        {files.map((f) => (
          <option key={f} value={`file:${f}`}>{fileName(f)}{mark(f, `${pair.split}/${pair.subset}`)}</option>
        ))}
      </optgroup>
      <optgroup label="Source">
        {own(scopes.sources, pair.source).map((x) => (
          <option key={x} value={`source:${x}`}>{x}{mark(x, pair.source)}</option>
        ))}
      </optgroup>
      <optgroup label="Topic">
        {own(scopes.topics, pair.topic).map((x) => (
          <option key={x} value={`topic:${x}`}>{x}{mark(x, pair.topic)}</option>
        ))}
      </optgroup>
    </>
  );
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
export function NeighboursPanel({ pair, models, randomModels, thumbnail, explain, onOpenItem, scopes }: NeighboursPanelProps) {
  const [model, setModel] = useState(models[0] ?? '');
  const [origin, setOrigin] = useState<Origin>('caption');
  const [to, setTo] = useState<NeighbourSide>('image');
  const [k, setK] = useState(12);
  const [scope, setScope] = useState('');
  const [exact, setExact] = useState(() => localStorage.getItem('ooc.exactNeighbours') === 'true');
  const [result, setResult] = useState<{ items: NeighbourItem[]; seconds: number; method: NeighbourMethod; within: NeighbourScope } | null>(null);
  const [state, setState] = useState<'idle' | 'loading' | 'error'>('idle');
  const [error, setError] = useState('');
  useEffect(() => setResult(null), [pair.pairId, model, origin, to, k, scope, exact]);

  if (models.length === 0) return <p className="muted small">No embeddings yet: embed the dataset in the Models view to find neighbours.</p>;
  const itemId = origin === 'caption' ? pair.captionId : origin === 'pristine' ? pair.pristine?.imageId : pair.falsified?.imageId;
  const from: NeighbourSide = origin === 'caption' ? 'caption' : 'image';
  const find = (): void => {
    if (itemId === undefined) return;
    setState('loading');
    const within = scopeOf(scope);
    call('neighbours.get', { itemId, from, to, model, k, within, exact }).then(
      (r) => {
        setResult({ ...r, within });
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
        <span className="muted">within</span>
        <select aria-label="Neighbours within" value={scope} onChange={(e) => setScope(e.target.value)}>
          <ScopeOptions pair={pair} scopes={scopes} />
        </select>
        <label className="small" title="Score every vector, even where the set has an approximate index (Models view)">
          <input
            type="checkbox"
            checked={exact}
            onChange={(e) => {
              setExact(e.target.checked);
              localStorage.setItem('ooc.exactNeighbours', String(e.target.checked));
            }}
          />{' '}
          exact
        </label>
        <button onClick={find} disabled={state === 'loading' || itemId === undefined}>{state === 'loading' ? 'Searching…' : 'Find'}</button>
      </div>
      {randomModels.includes(model) && <p className="warning small">{model} has random weights: these neighbours are meaningless.</p>}
      {state === 'error' && <p className="error small">{error}</p>}
      {result && (
        <>
          <p className="muted small">
            {result.items.length} nearest by {model} cosine within {scopeText(result.within, scopes)}, in {(result.seconds * 1000).toFixed(0)} ms{' '}
            <span data-testid="neighbour-method" title={result.method === 'exact' ? 'Every vector was scored' : "A shortlist from the set's approximate index, scored exactly: a neighbour the graph missed can be absent"}>
              ({result.method === 'exact' ? 'exact search' : 'approximate index, shortlist scored exactly'})
            </span>
            {result.items.length < k && scope !== '' && ` (no more ${to === 'image' ? 'images' : 'captions'} with embeddings there)`}
          </p>
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
