import { useCallback, useEffect, useState } from 'react';
import type { Overview } from '../../../electron/common/api.ts';
import { HEAD_INPUTS, HEAD_KINDS, trainingProgress, type HeadInfo, type HeadInputs, type HeadKind, type TrainHeadProgress } from '../../../electron/common/heads.ts';
import { call, type ApiError } from '../api/client.ts';
import { DeleteButton } from '../components/DeleteButton.tsx';
import { describeError } from '../errors.ts';
import { formatNumber, splitName } from '../format.ts';
import { useJobs } from '../state/jobs.ts';

const KIND_NAMES: Record<HeadKind, string> = { cosine: 'Zero-shot cosine', logreg: 'Logistic regression', mlp: 'MLP (one hidden layer)' };
const INPUT_NAMES: Record<HeadInputs, string> = { both: 'image and caption', image: 'image only', text: 'caption only' };

const suggestedName = (set: string, split: string, kind: HeadKind, inputs: HeadInputs): string =>
  `${set}-${split.split('_')[0]}-${kind}${inputs === 'both' ? '' : `-${inputs}`}`.replace(/[^\w.-]+/g, '_').slice(0, 80);

/**
 * Trains the paper's CLIP baselines on an embedding set: zero-shot cosine, logistic regression
 * and an MLP on both embeddings, and the unimodal heads that show a split's bias. Each trained
 * head becomes a prediction run (`onTrained` reloads the runs and selects it).
 */
export function TrainHead({ overview, onTrained }: { overview: Overview; onTrained: (name: string) => void }) {
  const [heads, setHeads] = useState<HeadInfo[] | null>(null);
  const [sets, setSets] = useState<string[]>([]);
  const [set, setSet] = useState('');
  const [split, setSplit] = useState('');
  const [kind, setKind] = useState<HeadKind>('logreg');
  const [inputs, setInputs] = useState<HeadInputs>('both');
  const [seed, setSeed] = useState('0');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJobs().find((r) => r.id === jobId) ?? null;
  const splits = overview.splits.filter((s) => ['train', 'val', 'test'].every((subset) => overview.files.some((f) => f.split === s.folder && f.subset === subset)));
  const load = useCallback(() => {
    call('heads.list', {}).then(
      (r) => {
        setHeads(r.heads);
        setSets(r.sets);
      },
      (err: ApiError) => setError(describeError(err)),
    );
  }, []);
  useEffect(load, [load]);
  const chosenSet = set || sets[0] || '';
  const chosenSplit = split || splits[0]?.folder || '';
  const chosenName = name || (chosenSet && chosenSplit ? suggestedName(chosenSet, chosenSplit, kind, inputs) : '');
  useEffect(() => {
    if (job?.state === 'done') {
      load();
      onTrained((job.summary as HeadInfo).name);
    }
    if (job?.state === 'failed' && job.error) setError(describeError(job.error));
  }, [job?.state, job?.error, job?.summary, load, onTrained]);
  const running = job?.state === 'running';
  const progress = running && job.progress ? trainingProgress(job.progress as TrainHeadProgress) : null;
  return (
    <section className="card train-head" aria-label="Train a baseline">
      <h2>Train a baseline</h2>
      <p className="small muted">
        The paper's CLIP baselines on an embedding set: trained on the split's train file, stopped early on val, then run on val and test as a prediction run. Image-only and caption-only heads check the split for unimodal bias: on a fair split they stay near 50%.
      </p>
      {sets.length === 0 && heads !== null ? (
        <p className="muted">No embedding set has both image and caption vectors yet: embed the corpus (Models) or import NewsCLIPpings' CLIP embeddings with <code>npm run ooc -- embed import</code>.</p>
      ) : (
        <form
          className="import-form"
          onSubmit={(e) => {
            e.preventDefault();
            setError(null);
            const seedNumber = Number(seed);
            void call('heads.train', { set: chosenSet, split: chosenSplit, kind, inputs, seed: Number.isSafeInteger(seedNumber) ? seedNumber : 0, name: chosenName }).then((run) => setJobId(run.id), (err: ApiError) => setError(describeError(err)));
          }}
        >
          <label>
            Embeddings
            <select value={chosenSet} onChange={(e) => setSet(e.target.value)} aria-label="Embedding set">
              {sets.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
          <label>
            Split
            <select value={chosenSplit} onChange={(e) => setSplit(e.target.value)} aria-label="Split to train on">
              {splits.map((s) => <option key={s.folder} value={s.folder}>{s.name}</option>)}
            </select>
          </label>
          <label>
            Head
            <select value={kind} onChange={(e) => setKind(e.target.value as HeadKind)} aria-label="Head">
              {HEAD_KINDS.map((k) => <option key={k} value={k}>{KIND_NAMES[k]}</option>)}
            </select>
          </label>
          <label>
            Sees
            <select value={kind === 'cosine' ? 'both' : inputs} disabled={kind === 'cosine'} onChange={(e) => setInputs(e.target.value as HeadInputs)} aria-label="What the head sees">
              {HEAD_INPUTS.map((i) => <option key={i} value={i}>{INPUT_NAMES[i]}</option>)}
            </select>
          </label>
          <label>
            Seed
            <input className="narrow" inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value.replace(/\D/g, ''))} aria-label="Seed" />
          </label>
          <label className="grow">
            Name
            <input value={chosenName} onChange={(e) => setName(e.target.value)} pattern="[\w.\-]{1,80}" title='Letters, digits, ".", "-" and "_"' aria-label="Head name" required />
          </label>
          <button type="submit" disabled={running || chosenSet === '' || chosenSplit === ''}>Train</button>
        </form>
      )}
      {running && (
        <div role="status" className="small">
          <progress value={progress?.fraction ?? undefined} max={1} aria-label="Training progress" /> {progress?.note ?? job.note}
        </div>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {heads !== null && heads.length > 0 && (
        <table className="counts heads" aria-label="Trained heads">
          <thead>
            <tr><th>Head</th><th>Sees</th><th>Trained on</th><th>Epochs</th><th>Val accuracy</th><th /></tr>
          </thead>
          <tbody>
            {heads.map((h) => (
              <tr key={h.name}>
                <th scope="row" title={`Model: ${h.model}`}>
                  {h.name}
                  <div className="small muted">{KIND_NAMES[h.kind]}{h.kind === 'mlp' ? ` (${h.hidden} units)` : ''} on {h.set}{h.kind === 'cosine' ? '' : `, seed ${h.seed}`}</div>
                </th>
                <td>{INPUT_NAMES[h.inputs]}</td>
                <td>
                  {splitName(overview.splits, h.split)}
                  <div className="small muted">{formatNumber(h.rows.train.rows)} train rows{h.rows.train.withoutVectors > 0 ? ` (${formatNumber(h.rows.train.withoutVectors)} without vectors)` : ''}</div>
                </td>
                <td className="nowrap">{h.curve.length === 0 ? '—' : `${h.curve.length} (kept ${h.bestEpoch})`}</td>
                <td className="nowrap">{(h.valAccuracy * 100).toFixed(2)}%</td>
                <td>
                  <DeleteButton
                    question={`Delete the head "${h.name}"? Its model files go; its prediction run stays.`}
                    onDelete={() => void call('heads.delete', { name: h.name }).then((r) => setHeads(r.heads), (err: ApiError) => setError(describeError(err)))}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
