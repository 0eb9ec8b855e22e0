import { useCallback, useEffect, useState } from 'react';
import type { Overview } from '../../../electron/common/api.ts';
import type { Dgm4Comparison, Dgm4Grounding, Dgm4Metrics, Dgm4Run, GroundingScores } from '../../../electron/common/dgm4-metrics.ts';
import type { RunProblem } from '../../../electron/common/evaluation.ts';
import type { SaliencyMethod } from '../../../electron/common/saliency.ts';
import { useJobs } from '../state/jobs.ts';
import { call, type ApiError } from '../api/client.ts';
import { DeleteButton } from '../components/DeleteButton.tsx';
import { describeError } from '../errors.ts';
import { formatNumber } from '../format.ts';

const GROUPS: { title: string; heads: string[]; cells: (m: Dgm4Metrics) => (number | null | undefined)[] }[] = [
  { title: 'Binary', heads: ['AUC', 'EER', 'ACC'], cells: (m) => [m.binary.auc, m.binary.eer, m.binary.acc] },
  { title: 'Multi-label', heads: ['mAP', 'CF1', 'OF1'], cells: (m) => [m.multiLabel?.map, m.multiLabel?.cf1, m.multiLabel?.of1] },
  { title: 'Image grounding', heads: ['IoUmean', 'IoU50', 'IoU75'], cells: (m) => [m.image?.iouMean, m.image?.iou50, m.image?.iou75] },
  { title: 'Text grounding', heads: ['P', 'R', 'F1'], cells: (m) => [m.text?.precision, m.text?.recall, m.text?.f1] },
];
const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : (100 * x).toFixed(2));

/** DGM4's Table 1 layout: one row per run (or class), the twelve metrics in percent. */
function MetricsTable({ label, rows }: { label: string; rows: [string, Dgm4Metrics][] }) {
  return (
    <table className="counts dgm4-metrics" aria-label={label}>
      <thead>
        <tr><th rowSpan={2} />{GROUPS.map((g) => <th key={g.title} colSpan={3} className="group">{g.title}</th>)}</tr>
        <tr>{GROUPS.flatMap((g) => g.heads.map((h) => <th key={h}>{h}</th>))}</tr>
      </thead>
      <tbody>
        {rows.map(([name, m]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            {GROUPS.flatMap((g) => g.cells(m).map((x, i) => <td key={`${g.title}-${i}`}>{pct(x)}</td>))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const SALIENCY: { value: SaliencyMethod; label: string }[] = [
  { value: 'occlusion', label: 'occlusion' },
  { value: 'rise', label: 'RISE' },
  { value: 'chefer', label: 'attention relevance' },
  { value: 'lime', label: 'LIME' },
  { value: 'words', label: 'word deletion' },
];

function GroundingTable({ label, rows }: { label: string; rows: [string, GroundingScores][] }) {
  return (
    <table className="counts" aria-label={label}>
      <thead>
        <tr><th /><th>Pointing game</th><th>Top-k% IoU</th><th>Word precision at k</th><th>Faces</th><th>Texts</th></tr>
      </thead>
      <tbody>
        {rows.map(([name, g]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{pct(g.pointing)}</td>
            <td>{pct(g.topIou)}</td>
            <td>{pct(g.wordPrecision)}</td>
            <td>{formatNumber(g.imageSamples)}</td>
            <td>{formatNumber(g.textSamples)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The saliency methods scored against DGM4's truth (a job), beside random maps. */
function Grounding({ split }: { split: string }) {
  const [methods, setMethods] = useState<SaliencyMethod[]>(['occlusion', 'words']);
  const [limit, setLimit] = useState(100);
  const [result, setResult] = useState<Dgm4Grounding | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJobs().find((j) => j.id === running);
  const progress = job?.progress as { done: number; total: number } | null | undefined;
  return (
    <div className="grounding" aria-label="Saliency against DGM4's truth" role="group">
      <h3>Saliency against the truth</h3>
      <p className="small muted">Each manipulated sample's caption explained against its image: does the map's maximum fall in the face box (pointing game), how well its top 10% covers it, and are the words it scores highest the manipulated ones — beside uniform random maps, which point into the box as often as the box covers the image.</p>
      <div className="import-form">
        {SALIENCY.map((m) => (
          <label key={m.value} className="check small">
            <input type="checkbox" checked={methods.includes(m.value)} onChange={(e) => setMethods((c) => (e.target.checked ? [...c, m.value] : c.filter((x) => x !== m.value)))} /> {m.label}
          </label>
        ))}
        <label>
          Samples
          <input type="number" aria-label="Samples to explain" min={1} max={100000} value={limit} onChange={(e) => setLimit(Number(e.target.value))} />
        </label>
        <button
          type="button"
          disabled={methods.length === 0 || running !== null}
          onClick={() => {
            const requestId = `grounding-${Date.now()}`;
            setRunning(requestId);
            setError(null);
            call('dgm4.grounding', { split, methods, limit, requestId }).then(
              (r) => {
                setResult(r);
                setRunning(null);
              },
              (err: ApiError) => {
                setError(describeError(err));
                setRunning(null);
              },
            );
          }}
        >
          {running ? 'Explaining…' : 'Score the maps'}
        </button>
        {running && progress && progress.total > 0 && <progress aria-label="Grounding progress" max={progress.total} value={progress.done} />}
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {result && (
        <>
          <p className="small">
            {formatNumber(result.samples)} manipulated samples of DGM4 {result.split} under {result.model}, in percent{result.randomWeights && <strong className="warning-text"> — random weights: the maps mean nothing</strong>}; {result.seconds.toFixed(1)} s.
          </p>
          <GroundingTable label="Saliency grounding" rows={result.methods.map((m) => [m.method, m.overall])} />
          <GroundingTable label="Saliency grounding by class" rows={result.methods.flatMap((m) => Object.entries(m.byClass).map(([cls, g]) => [`${m.method} · ${cls}`, g] as [string, GroundingScores]))} />
        </>
      )}
    </div>
  );
}

/**
 * Detectors on DGM4: import a run's outputs, and DGM4's twelve metrics for the runs chosen, side
 * by side as in the papers' tables, with the first run's breakdown per class.
 */
export function Dgm4Runs({ overview }: { overview: Overview }) {
  const [runs, setRuns] = useState<Dgm4Run[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [comparison, setComparison] = useState<Dgm4Comparison | null>(null);
  const [file, setFile] = useState('');
  const [name, setName] = useState('');
  const [split, setSplit] = useState(overview.dgm4.find((s) => s.split === 'test')?.split ?? overview.dgm4[0]?.split ?? '');
  const [boxFormat, setBoxFormat] = useState<'xyxy' | 'cxcywh-normalized'>('xyxy');
  const [tokenizer, setTokenizer] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJobs().find((r) => r.id === jobId) ?? null;
  const fail = (err: ApiError) => setError(describeError(err));
  const load = useCallback(() => void call('dgm4.runs', {}).then((r) => setRuns(r.runs), (err: ApiError) => setError(describeError(err))), []);
  useEffect(load, [load]);
  const imported = job?.state === 'done' ? (job.summary as { run: Dgm4Run; problems: RunProblem[] }) : null;
  const importedName = imported?.run.name;
  useEffect(() => {
    if (importedName === undefined) return;
    setChosen((c) => (c.includes(importedName) ? c : [...c, importedName]));
    load();
  }, [jobId, importedName, load]);
  useEffect(() => {
    if (job?.state === 'failed' && job.error) setError(describeError(job.error));
  }, [job?.state, job?.error]);
  useEffect(() => {
    const names = chosen.filter((c) => runs.some((r) => r.name === c));
    if (names.length === 0) return setComparison(null);
    call('dgm4.evaluate', { runs: names }).then(setComparison, (err: ApiError) => setError(describeError(err)));
  }, [chosen, runs]);
  if (overview.dgm4.length === 0) return null;
  const first = comparison?.runs[0];
  return (
    <section className="card" aria-label="DGM4 detectors">
      <h2>DGM4 detectors</h2>
      <p className="small muted">
        A detector's outputs on a DGM4 split (JSON or JSON Lines, one object per sample: its id and image, and any of a probability, a label or fake_cls, four class probabilities, a box, manipulated word indices or per-word flags). Metrics as DGM4's test.py defines them; text grounding over words, or over word pieces when a tokenizer is given.
      </p>
      <form
        className="import-form"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          call('dgm4.import', { file: file.trim(), name: name.trim(), split, boxFormat, replace: false, ...(tokenizer.trim() === '' ? {} : { tokenizer: tokenizer.trim() }) }).then((r) => setJobId(r.id), fail);
        }}
      >
        <label className="grow">
          File (full path)
          <input aria-label="DGM4 predictions file" value={file} onChange={(e) => setFile(e.target.value)} placeholder="/data/results/hammer-test.jsonl" required />
        </label>
        <label>
          Split
          <select aria-label="DGM4 split of the predictions" value={split} onChange={(e) => setSplit(e.target.value)}>
            {overview.dgm4.map((s) => <option key={s.split} value={s.split}>{s.split}</option>)}
          </select>
        </label>
        <label>
          Boxes
          <select aria-label="Box format" value={boxFormat} onChange={(e) => setBoxFormat(e.target.value as typeof boxFormat)}>
            <option value="xyxy">pixels x1, y1, x2, y2</option>
            <option value="cxcywh-normalized">centre and size, fractions (HAMMER)</option>
          </select>
        </label>
        <label title="Optional: the tokenizer.json of the detector's text encoder (bert-base-uncased for HAMMER). Text grounding is then counted over its word pieces after HAMMER's text cleaning, as the paper's figures are, and word flags may be given per piece.">
          Word pieces (tokenizer.json)
          <input aria-label="Tokenizer for word pieces" value={tokenizer} onChange={(e) => setTokenizer(e.target.value)} placeholder="none: count words" />
        </label>
        <label>
          Run name
          <input aria-label="DGM4 run name" value={name} onChange={(e) => setName(e.target.value)} placeholder="HAMMER" required />
        </label>
        <button type="submit" disabled={file.trim() === '' || name.trim() === '' || job?.state === 'running'}>Import</button>
      </form>
      {job?.state === 'running' && <p className="small" role="status">Importing… {job.note}</p>}
      {imported && (
        <p className="small" role="status">
          Imported "{imported.run.name}": {formatNumber(imported.run.matched)} of {formatNumber(imported.run.rows)} rows matched
          {Object.keys(imported.run.problems).length > 0 && <>; {Object.entries(imported.run.problems).map(([k, n]) => `${formatNumber(n)} ${k}`).join(', ')}{imported.problems[0] && ` (line ${imported.problems[0].line}: ${imported.problems[0].detail})`}</>}.
        </p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {runs.length > 0 && (
        <table className="counts runs" aria-label="DGM4 runs">
          <thead>
            <tr><th>Run</th><th>Split</th><th>Rows matched</th><th>Rows read</th><th>Show</th><th /></tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.name}>
                <th scope="row">{r.name}</th>
                <td>{r.split}{r.subwords && <span className="muted small" title={r.subwords.tokenizer}> · word pieces</span>}</td>
                <td>{formatNumber(r.matched)}</td>
                <td>{formatNumber(r.rows)}</td>
                <td><input type="checkbox" aria-label={`Show ${r.name}`} checked={chosen.includes(r.name)} onChange={(e) => setChosen((c) => (e.target.checked ? [...c, r.name] : c.filter((x) => x !== r.name)))} /></td>
                <td><DeleteButton question={`Delete the DGM4 run "${r.name}"? Its file is not touched.`} onDelete={() => void call('dgm4.deleteRun', { name: r.name }).then((x) => setRuns(x.runs), fail)} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {comparison && comparison.runs.length > 0 && (
        <>
          <h3>DGM4 {comparison.split}, in percent</h3>
          <MetricsTable label="DGM4 metrics" rows={comparison.runs.map((r) => [`${r.run} (${formatNumber(r.answered)} of ${formatNumber(r.splitSamples)}${r.subwords ? '; text over word pieces' : ''})`, r.overall])} />
          {first && (
            <>
              <h3>{first.run} by class</h3>
              <MetricsTable label={`DGM4 metrics of ${first.run} by class`} rows={Object.entries(first.byClass).map(([cls, m]) => [`${cls} (${formatNumber(m.samples)})`, m])} />
            </>
          )}
        </>
      )}
      <Grounding split={split} />
    </section>
  );
}
