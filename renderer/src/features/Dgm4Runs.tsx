import { useCallback, useEffect, useState } from 'react';
import type { Overview } from '../../../electron/common/api.ts';
import type { Dgm4Comparison, Dgm4Metrics, Dgm4Run } from '../../../electron/common/dgm4-metrics.ts';
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
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fail = (err: ApiError) => setError(describeError(err));
  const load = useCallback(() => void call('dgm4.runs', {}).then((r) => setRuns(r.runs), (err: ApiError) => setError(describeError(err))), []);
  useEffect(load, [load]);
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
        A detector's outputs on a DGM4 split (JSON or JSON Lines, one object per sample: its id and image, and any of a probability, a label or fake_cls, four class probabilities, a box, manipulated word indices or per-word flags). Metrics as DGM4's test.py defines them, text grounding over words.
      </p>
      <form
        className="import-form"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          setMessage(null);
          call('dgm4.import', { file: file.trim(), name: name.trim(), split, boxFormat, replace: false }).then((r) => {
            setMessage(`Imported "${r.run.name}": ${formatNumber(r.run.matched)} of ${formatNumber(r.run.rows)} rows matched${Object.keys(r.run.problems).length > 0 ? `; ${Object.entries(r.run.problems).map(([k, n]) => `${formatNumber(n)} ${k}`).join(', ')}${r.problems[0] ? ` (line ${r.problems[0].line}: ${r.problems[0].detail})` : ''}` : ''}.`);
            setChosen((c) => [...c, r.run.name]);
            load();
          }, fail);
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
        <label>
          Run name
          <input aria-label="DGM4 run name" value={name} onChange={(e) => setName(e.target.value)} placeholder="HAMMER" required />
        </label>
        <button type="submit" disabled={file.trim() === '' || name.trim() === ''}>Import</button>
      </form>
      {message && <p className="small" role="status">{message}</p>}
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
                <td>{r.split}</td>
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
          <MetricsTable label="DGM4 metrics" rows={comparison.runs.map((r) => [`${r.run} (${formatNumber(r.answered)} of ${formatNumber(r.splitSamples)})`, r.overall])} />
          {first && (
            <>
              <h3>{first.run} by class</h3>
              <MetricsTable label={`DGM4 metrics of ${first.run} by class`} rows={Object.entries(first.byClass).map(([cls, m]) => [`${cls} (${formatNumber(m.samples)})`, m])} />
            </>
          )}
        </>
      )}
    </section>
  );
}
