import { useEffect, useState } from 'react';
import { STRATEGIES, STRATEGY_INFO, type Candidate, type CandidateList, type ConstraintVerdict, type CustomSplit, type GenerateSummary, type Strategy } from '../../../electron/common/candidates.ts';
import type { ItemPage, Overview } from '../../../electron/common/api.ts';
import { useJobs } from '../state/jobs.ts';
import { call, explainImage, imageUrl, thumbnailUrl, type ApiError } from '../api/client.ts';
import { DeleteButton } from '../components/DeleteButton.tsx';
import { PairImage } from '../components/PairImage.tsx';
import { SaliencyPanel, type SaliencySubject } from '../components/SaliencyPanel.tsx';
import { describeError } from '../errors.ts';
import { countOf, formatCount, splitName } from '../format.ts';
import type { UpdateView, ViewState } from '../state/view-state.ts';

const K_CHOICES = [12, 25, 50, 100, 200];
const fmt = (x: number | null): string => (x === null ? '—' : x.toFixed(3));
const CONSTRAINT_NAMES: Record<string, string> = {
  different_item: 'another item',
  days_apart: '30 days apart',
  no_shared_entities: 'no shared entity',
  shares_person: 'shares a person',
  places_below_0_9: 'scenes differ (< 0.9)',
  no_person: 'no person',
};

/**
 * The embedding sets that can serve the CLIP strategies (images and captions both), by name; ''
 * asks for the default (NewsCLIPpings' own vectors where imported, else a model's).
 */
function useClipSets(): string[] {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    call('models.get', {}).then(
      (r) => setNames([...new Set(r.sets.map((s) => s.name))].filter((name) => r.sets.some((s) => s.name === name && s.kind === 'image' && s.rows > 0) && r.sets.some((s) => s.name === name && s.kind === 'text' && s.rows > 0))),
      () => setNames([]),
    );
  }, []);
  return names;
}

function ClipModelSelect({ names, value, onChange, label }: { names: string[]; value: string; onChange: (name: string) => void; label: string }) {
  return (
    <label title="Whose embeddings rank the CLIP strategies and give CTI_p and CTI_f: a different model may choose differently">
      CLIP embeddings
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">default</option>
        {names.map((n) => <option key={n} value={n}>{n}</option>)}
      </select>
    </label>
  );
}

function Verdict({ name, verdict }: { name: string; verdict: ConstraintVerdict }) {
  const mark = verdict.pass === true ? '✓' : verdict.pass === false ? '✗' : '?';
  const cls = verdict.pass === true ? 'pass' : verdict.pass === false ? 'fail' : 'unknown';
  return (
    <li className={`constraint ${cls}`} title={verdict.reason}>
      <span aria-hidden="true">{mark}</span> {CONSTRAINT_NAMES[name] ?? name}
      {verdict.pass !== true && <span className="reason">: {verdict.reason}</span>}
    </li>
  );
}

/** A caption against its own image and a candidate, explained side by side. */
function subjects(captionId: number, caption: string, imageIds: number[]): SaliencySubject[] {
  return imageIds.map((imageId) => ({
    label: imageId === captionId ? 'pristine image' : `candidate ${imageId}`,
    ...(imageId === captionId ? { tag: 'pristine' as const } : { tag: 'falsified' as const }),
    image: <PairImage itemId={imageId} role={imageId === captionId ? 'Pristine' : 'Falsified'} caption={caption} src={imageUrl(imageId)} explain={explainImage} large purpose="(saliency)" />,
    explain: (method, colormap, requestId) => call('saliency.explain', { imageId, captionId, method, colormap, requestId }),
    png: (method, colormap, opacity) => call('saliency.png', { imageId, captionId, method, colormap, opacity }),
  }));
}

function CandidateRow({ rank, candidate, ctiP, chosenBy, onOpen, onExplain, onAccept }: { rank: number; candidate: Candidate; ctiP: number | null; chosenBy: string[]; onOpen: () => void; onExplain: (() => void) | null; onAccept: (() => void) | null }) {
  const { imageId, score, ctiF, constraints, picked, caption } = candidate;
  const above = ctiF !== null && ctiP !== null && ctiF >= ctiP;
  return (
    <li className={`candidate${picked ? ' picked' : ''}${chosenBy.length > 0 ? ' chosen' : ''}`} aria-label={`Candidate ${rank}: image ${imageId}${picked ? ', Algorithm 1 picks it' : ''}`}>
      <span className="rank">{rank}</span>
      <img loading="lazy" className="candidate-thumb" src={thumbnailUrl(imageId, 128)} alt={`Image ${imageId}`} onError={(e) => ((e.target as HTMLImageElement).style.visibility = 'hidden')} />
      <div className="candidate-body">
        <div className="candidate-head">
          <button type="button" className="link" onClick={onOpen} title="Open its item page">image {imageId}</button>
          <span className="muted small">score {score.toFixed(3)}</span>
          <span className={`small ${above ? 'above' : 'below'}`} title="CLIP text–image similarity of the caption and this image (CTI_f), against the caption and its own image (CTI_p)">
            CTI_f {fmt(ctiF)}{ctiF === null || ctiP === null ? '' : above ? ' ≥ CTI_p' : ' < CTI_p'}
          </span>
          {picked && <span className="badge pick">Algorithm 1's pick</span>}
          {chosenBy.map((f) => <span key={f} className="badge chosen" title="The falsified image this split file chose for the caption">{f}</span>)}
        </div>
        {caption && <p className="candidate-caption">{caption}</p>}
        <ul className="constraints" aria-label="Constraints">
          {Object.entries(constraints).map(([name, verdict]) => <Verdict key={name} name={name} verdict={verdict} />)}
        </ul>
        <div className="candidate-actions">
          {onExplain && <button type="button" className="link small" onClick={onExplain}>Explain the caption against it</button>}
          {onAccept && <button type="button" className="link small" onClick={onAccept}>Accept into the custom split</button>}
        </div>
      </div>
    </li>
  );
}

function StrategyColumn({ list, onOpen, onExplain, onAccept }: { list: CandidateList; onOpen: (id: number) => void; onExplain: (id: number) => void; onAccept: (c: Candidate, captionId: number) => void }) {
  const info = STRATEGY_INFO[list.strategy];
  const picked = list.candidates.find((c) => c.picked);
  return (
    <section className="card strategy" aria-label={info.name}>
      <h3>{info.name}</h3>
      <p className="small muted">{info.ranking}</p>
      {list.missing !== null ? (
        <p className="small warning-text" role="note">{list.missing}</p>
      ) : (
        <>
          <p className="small">
            {picked ? <>Algorithm 1 picks <strong>image {picked.imageId}</strong> ({list.pick === 'at-or-above' ? 'CLIP scores it at least as high as the pristine image' : 'none reaches the pristine image: the best below'}).</> : list.ctiP === null ? 'No pick: CLIP cannot score the caption against its own image.' : 'No pick: every candidate fails a constraint.'}
          </p>
          {list.datasetMatches.map((m) => (
            <p key={`${m.split}/${m.subset}`} className="small">
              {m.split}/{m.subset} chose image {m.imageId}: {m.rank === null ? `not among these ${list.candidates.length}` : <strong>rank {m.rank}</strong>}
            </p>
          ))}
          <ol className="candidates">
            {list.candidates.map((c, i) => (
              <CandidateRow key={c.imageId} rank={i + 1} candidate={c} ctiP={list.ctiP} chosenBy={list.datasetMatches.filter((m) => m.imageId === c.imageId).map((m) => `${m.split}/${m.subset}`)} onOpen={() => onOpen(c.imageId)} onExplain={list.captionId === null ? null : () => onExplain(c.imageId)} onAccept={list.captionId === null || c.imageId === list.captionId ? null : () => onAccept(c, list.captionId!)} />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

/** Algorithm 1 over many captions, as a job: a new custom split. */
function GenerateSplit({ overview, clipSets, onBrowse }: { overview: Overview; clipSets: string[]; onBrowse: (split: string, subset: string) => void }) {
  const [name, setName] = useState('');
  const [model, setModel] = useState('');
  const [strategy, setStrategy] = useState<Strategy>('clip_text_image');
  const [from, setFrom] = useState('');
  const [k, setK] = useState(100);
  const [balanced, setBalanced] = useState(true);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJobs().find((r) => r.id === jobId) ?? null;
  useEffect(() => {
    if (job?.state === 'failed' && job.error) setError(describeError(job.error));
  }, [job?.state, job?.error]);
  const summary = job?.state === 'done' ? (job.summary as GenerateSummary) : null;
  return (
    <details className="card generate-split">
      <summary>Generate a split by Algorithm 1…</summary>
      <p className="small muted">For every caption of a split file (or every item), the strategy's candidates, the constraints, and CLIP adversarial filtering: the best-ranked passing candidate CLIP scores at least as high as the pristine image, else the best below; then the 50/50 filtering. A job: it can be cancelled and continues where it stopped.</p>
      <form
        className="candidates-form"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          call('custom.generate', { name: name.trim(), strategy, k, balance: balanced, seed: 0, ...(from === '' ? {} : { from }), ...(model === '' ? {} : { model }) }).then((r) => setJobId(r.id), (err: ApiError) => setError(describeError(err)));
        }}
      >
        <label>
          Name
          <input aria-label="Generated split name" value={name} onChange={(e) => setName(e.target.value)} placeholder="cti-merged-test" required />
        </label>
        <label>
          Strategy
          <select aria-label="Strategy" value={strategy} onChange={(e) => setStrategy(e.target.value as Strategy)}>
            {STRATEGIES.map((s) => <option key={s} value={s}>{STRATEGY_INFO[s].name}</option>)}
          </select>
        </label>
        <ClipModelSelect names={clipSets} value={model} onChange={setModel} label="Generate with CLIP embeddings" />
        <label>
          Captions of
          <select aria-label="Captions of" value={from} onChange={(e) => setFrom(e.target.value)}>
            <option value="">every item with a caption and an image</option>
            {overview.files.map((f) => <option key={`${f.split}/${f.subset}`} value={`${f.split}/${f.subset}`}>{splitName(overview.splits, f.split)} / {f.subset} ({formatCount(f.pairs)})</option>)}
          </select>
        </label>
        <label>
          Candidates each
          <input aria-label="Candidates per caption" type="number" min={1} max={1000} value={k} onChange={(e) => setK(Number(e.target.value))} />
        </label>
        <label className="check small"><input type="checkbox" checked={balanced} onChange={(e) => setBalanced(e.target.checked)} /> 50/50 filtering</label>
        <button type="submit" disabled={name.trim() === '' || job?.state === 'running'}>Generate</button>
      </form>
      {job?.state === 'running' && (
        <p className="small" role="status">
          {job.note} {job.fraction !== null && <progress aria-label="Generation progress" max={1} value={job.fraction} />}
        </p>
      )}
      {summary && (
        <p className="small" role="status">
          {summary.split.folder}/{summary.subset}: {countOf(summary.kept, 'pair')} from {countOf(summary.captions, 'caption')} — {formatCount(summary.picked.atOrAbove)} picked at or above CTI_p, {formatCount(summary.picked.below)} below, {formatCount(summary.dropped)} dropped by the 50/50 filtering; CLIP embeddings {summary.clip}
          {Object.keys(summary.unpicked).length > 0 && `; no pick for ${Object.entries(summary.unpicked).map(([r, n]) => `${formatCount(n)} (${r.replace(/_/g, ' ')})`).join(', ')}`}; {summary.seconds.toFixed(1)} s.{' '}
          <button type="button" className="link" onClick={() => onBrowse(summary.split.folder, summary.subset)}>Browse {summary.split.folder}/{summary.subset}</button>
        </p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
    </details>
  );
}

/**
 * A caption's out-of-context candidates under the paper's four strategies, side by side: each
 * ranking with its scores, CTI_f against CTI_p, every constraint's verdict and reason, the
 * candidate Algorithm 1 picks, and where the dataset's own falsified image sits.
 */
export function CandidatesView({ state, update, overview, onSplitsChanged }: { state: ViewState; update: UpdateView; overview: Overview; onSplitsChanged: () => Promise<void> }) {
  const captionId = state.caption;
  const text = captionId === undefined ? state.ctext : undefined;
  const [typed, setTyped] = useState(captionId === undefined ? (text ?? '') : String(captionId));
  const [k, setK] = useState(25);
  const clipSets = useClipSets();
  const [model, setModel] = useState('');
  const [lists, setLists] = useState<CandidateList[] | null>(null);
  const [item, setItem] = useState<ItemPage | null>(null);
  const [explaining, setExplaining] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [customs, setCustoms] = useState<CustomSplit[]>([]);
  const [target, setTarget] = useState('my-candidates');
  const [subset, setSubset] = useState('test');
  const [accepted, setAccepted] = useState<string | null>(null);
  useEffect(() => void call('custom.list', {}).then((r) => setCustoms(r.splits), (err: ApiError) => setError(describeError(err))), []);
  const accept = (list: CandidateList, c: Candidate, captionId: number): void => {
    setAccepted(null);
    call('custom.accept', { name: target.trim(), subset, captionId, imageId: c.imageId, strategy: list.strategy, score: c.score, ctiP: list.ctiP })
      .then(async (r) => {
        setCustoms(r.splits);
        // The pair browser knows of the split once the overview is read again.
        await onSplitsChanged();
        setAccepted(`Image ${c.imageId} accepted for caption ${list.captionId} into ${r.split.folder}/${subset} (${STRATEGY_INFO[list.strategy].name}); it holds ${countOf(r.split.subsets[subset] ?? 0, 'pair')} there.`);
      })
      .catch((err: ApiError) => setError(describeError(err)));
  };
  const remove = (name: string): void =>
    void call('custom.delete', { name })
      .then(async (r) => {
        setCustoms(r.splits);
        setAccepted(null);
        await onSplitsChanged();
      })
      .catch((err: ApiError) => setError(describeError(err)));
  const folder = `custom_${target.trim()}`;
  useEffect(() => setTyped(captionId === undefined ? (text ?? '') : String(captionId)), [captionId, text]);
  useEffect(() => {
    setLists(null);
    setItem(null);
    setError(null);
    setExplaining(null);
    if (captionId === undefined && text === undefined) return;
    let live = true;
    if (captionId !== undefined) call('items.get', { id: captionId }).then((r) => live && setItem(r), (err: ApiError) => live && setError(describeError(err)));
    call('candidates.get', { ...(captionId === undefined ? { text: text! } : { captionId }), k, ...(model === '' ? {} : { model }) }).then((r) => live && setLists(r.lists), (err: ApiError) => live && setError(describeError(err)));
    return () => {
      live = false;
    };
  }, [captionId, text, k, model]);
  const first = lists?.[0];
  return (
    <div className="candidates-view">
      <section className="card candidates-query">
        <form
          className="candidates-form"
          onSubmit={(e) => {
            e.preventDefault();
            const value = typed.trim();
            if (/^\d+$/.test(value)) update({ caption: Number(value), ctext: undefined });
            else if (value !== '') update({ ctext: value, caption: undefined });
          }}
        >
          <label>
            Caption: an item id, or its text
            <input aria-label="Caption id or text" className="caption-input" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="257569, or a caption typed or pasted in" />
          </label>
          <label>
            Candidates per strategy
            <select aria-label="Candidates per strategy" value={k} onChange={(e) => setK(Number(e.target.value))}>
              {K_CHOICES.map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </label>
          <ClipModelSelect names={clipSets} value={model} onChange={setModel} label="CLIP embeddings" />
          <button type="submit">Show candidates</button>
          <label title="Candidates you accept go into this split file, browsable in Pairs and exportable in NewsCLIPpings' format">
            Custom split
            <input aria-label="Custom split name" list="custom-split-names" value={target} onChange={(e) => setTarget(e.target.value)} />
          </label>
          <datalist id="custom-split-names">{customs.map((c) => <option key={c.name} value={c.name} />)}</datalist>
          <label>
            Subset
            <select aria-label="Custom split subset" value={subset} onChange={(e) => setSubset(e.target.value)}>
              {['train', 'val', 'test'].map((x) => <option key={x} value={x}>{x}</option>)}
            </select>
          </label>
        </form>
        {customs.length > 0 && (
          <ul className="custom-splits small" aria-label="Custom splits">
            {customs.map((c) => (
              <li key={c.name}>
                <strong>{c.folder}</strong>{' '}
                {Object.entries(c.subsets).map(([sub, n]) => (
                  <button key={sub} type="button" className="link" onClick={() => update({ view: 'pairs', split: c.folder, subset: sub, pair: undefined, open: false }, 'push')}>{sub} ({countOf(n, 'pair')})</button>
                ))}
                <DeleteButton question={`Delete the custom split ${c.folder} and its ${countOf(Object.values(c.subsets).reduce((a, b) => a + b, 0), 'pair')}? Curation on its pairs is kept.`} onDelete={() => remove(c.name)} />
              </li>
            ))}
          </ul>
        )}
        {accepted && (
          <p className="small" role="status">
            {accepted} <button type="button" className="link" onClick={() => update({ view: 'pairs', split: folder, subset, pair: undefined, open: false }, 'push')}>Browse {folder}/{subset}</button>
          </p>
        )}
        {captionId === undefined && text === undefined && <p className="muted small">Which images could be swapped in for a caption, ranked the four ways NewsCLIPpings built its splits, each checked against the paper's constraints. Open one from a pair's detail or an item page, type a caption's item id, or type or paste a caption that is not in the corpus (ranked by the CLIP strategies; with no image of its own, it has no pick).</p>}
        {text !== undefined && first && (
          <div className="candidates-caption">
            <div>
              <p className="detail-caption">{text}</p>
              <p className="small muted">
                A caption typed in: ranked by CLIP{first.inputs.clip && ` (${first.inputs.clip})`}; no image of its own, so no CTI_p and no pick · entities {first.entities.entities.length === 0 ? 'none found' : first.entities.entities.map((e) => `${e.text} (${e.kind.toLowerCase()})`).join(', ')} (offline NER) · {first.seconds.toFixed(2)} s
              </p>
            </div>
          </div>
        )}
        {item && (
          <div className="candidates-caption">
            <PairImage itemId={item.image === null ? null : item.item.id} role="Pristine" caption={item.item.caption} src={imageUrl(item.item.id)} explain={explainImage} />
            <div>
              <p className="detail-caption">{item.item.caption}</p>
              {first && (
                <p className="small muted">
                  CTI_p {fmt(first.ctiP)}{first.inputs.clip && ` under ${first.inputs.clip}`} · entities{' '}
                  {first.entities.entities.length === 0 ? 'none found' : first.entities.entities.map((e) => `${e.text} (${e.kind.toLowerCase()})`).join(', ')}{' '}
                  ({first.entities.from === 'ner' ? 'offline NER, an approximation of spaCy + REL' : "NewsCLIPpings' metadata"}) · {first.seconds.toFixed(2)} s
                </p>
              )}
              <button type="button" className="link small" onClick={() => update({ view: 'items', item: item.item.id }, 'push')}>Open its item page</button>
            </div>
          </div>
        )}
        {error && <p className="error" role="alert">{error}</p>}
      </section>
      <GenerateSplit overview={overview} clipSets={clipSets} onBrowse={(split, subset) => update({ view: 'pairs', split, subset, pair: undefined, open: false }, 'push')} />
      {(captionId !== undefined || text !== undefined) && lists === null && error === null && <p className="muted" role="status">Ranking candidates…</p>}
      {explaining !== null && item && captionId !== undefined && (
        <section className="card" aria-label="Saliency of the caption against the candidate">
          <header className="dgm4-detail-head">
            <h3>The caption against its own image and image {explaining}</h3>
            <button type="button" className="link" onClick={() => setExplaining(null)}>Close</button>
          </header>
          <div className="candidate-saliency">
            <SaliencyPanel subjects={subjects(captionId, item.item.caption, [captionId, explaining])} resetKey={`${captionId}:${explaining}`} />
          </div>
        </section>
      )}
      {lists && (
        <div className="strategies">
          {lists.map((list) => <StrategyColumn key={list.strategy} list={list} onOpen={(id) => update({ view: 'items', item: id }, 'push')} onExplain={setExplaining} onAccept={(c, id) => accept(list, c, id)} />)}
        </div>
      )}
    </div>
  );
}
