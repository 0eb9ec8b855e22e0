import * as Plot from '@observablehq/plot';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Accuracy, GroupMetrics, ImportResult, PredictionRun, RunComparison, RunEvaluation, RunProblem } from '../../../electron/common/evaluation.ts';
import type { Overview } from '../../../electron/common/api.ts';
import { call, type ApiError } from '../api/client.ts';
import { DeleteButton } from '../components/DeleteButton.tsx';
import { legendMarks, PlotChart, saveText, SERIES_COLOURS } from '../components/PlotChart.tsx';
import { describeError } from '../errors.ts';
import { countOf, formatNumber, splitName } from '../format.ts';
import { useJobs } from '../state/jobs.ts';
import type { ViewUpdate } from '../state/view-state.ts';
import { TokenReport } from './TokenReport.tsx';
import { Dgm4Runs } from './Dgm4Runs.tsx';
import { TrainHead } from './TrainHead.tsx';

const LABEL_COLOURS = { pristine: '#15803d', falsified: '#c2410c' };
const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(2)}`);
const interval = (a: Accuracy): string => (a.ci === null ? '' : `${pct(a.ci[0])}–${pct(a.ci[1])}`);

/** The import form: a file (full path), a name, optionally the split; Preview shows what would be read, Import runs the job. */
function ImportRun({ overview, onImported }: { overview: Overview; onImported: () => void }) {
  const [file, setFile] = useState('');
  const [name, setName] = useState('');
  const [split, setSplit] = useState('');
  const [preview, setPreview] = useState<ImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJobs().find((r) => r.id === jobId) ?? null;
  useEffect(() => {
    if (job?.state === 'done') onImported();
    if (job?.state === 'failed' && job.error) setError(describeError(job.error));
  }, [job?.state, job?.error, onImported]);
  const source = { file: file.trim(), ...(split === '' ? {} : { split }) };
  const splits = overview.splits.filter((s) => overview.files.some((f) => f.split === s.folder));
  return (
    <section className="card import-run" aria-label="Import predictions">
      <h2>Import predictions</h2>
      <p className="small muted">
        A detector's output for NewsCLIPpings pairs: a JSON list (CMIE, SNIFFER), JSON Lines (a pairs.jsonl export with a prediction added) or CSV, with a caption id, an image id or path, and a label (yes/no, 1/0, falsified/pristine; other text counts as an abstention) or a probability. The truth always comes from the split file.
      </p>
      <form
        className="import-form"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          void call('predictions.import', { ...source, name: name.trim() }).then((run) => setJobId(run.id), (err: ApiError) => setError(describeError(err)));
        }}
      >
        <label className="grow">
          File (full path)
          <input value={file} onChange={(e) => {
              setFile(e.target.value);
              setPreview(null);
            }} placeholder="/data/results/4o-direct_testSplit.json" aria-label="Predictions file" required />
        </label>
        <label>
          Split
          <select value={split} onChange={(e) => setSplit(e.target.value)} aria-label="Split of the predictions">
            <option value="">found from the rows</option>
            {splits.map((s) => (
              <option key={s.folder} value={s.folder}>{s.name}</option>
            ))}
          </select>
        </label>
        <label>
          Run name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="gpt-4o direct" aria-label="Run name" required />
        </label>
        <button
          type="button"
          className="secondary"
          disabled={file.trim() === ''}
          onClick={() => {
            setError(null);
            void call('predictions.preview', source).then(setPreview, (err: ApiError) => setError(describeError(err)));
          }}
        >
          Preview
        </button>
        <button type="submit" disabled={file.trim() === '' || name.trim() === '' || job?.state === 'running'}>Import</button>
      </form>
      {job?.state === 'running' && <p className="small" role="status">Importing… {job.note}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      {preview && (
        <div className="preview" aria-label="How the file is read">
          <p className="small">
            {preview.run.format.toUpperCase()} · caption id ← <code>{preview.run.mapping.caption}</code> · image {preview.run.mapping.imageBy} ← <code>{preview.run.mapping.image}</code>
            {preview.run.mapping.prediction && <> · label ← <code>{preview.run.mapping.prediction}</code></>}
            {preview.run.mapping.probability && <> · p(falsified) ← <code>{preview.run.mapping.probability}</code></>}
            {preview.run.mapping.truth && <> · compared with ← <code>{preview.run.mapping.truth}</code></>} · split {splitName(overview.splits, preview.run.split)}; of the first {formatNumber(preview.run.rows)} rows, {formatNumber(Object.values(preview.run.matched).reduce((a, b) => a + b, 0))} match a pair
          </p>
          <ul className="small">
            {preview.preview.map((p) => (
              <li key={p.line}>line {p.line}: {p.understood}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function GroupTable({ title, groups }: { title: string; groups: Record<string, GroupMetrics> }) {
  const entries = Object.entries(groups);
  if (entries.length === 0) return null;
  return (
    <table className="counts metrics-groups">
      <thead>
        <tr><th>{title}</th><th>rows</th><th>All %</th><th>Pristine %</th><th>Falsified %</th></tr>
      </thead>
      <tbody>
        {entries.map(([key, g]) => (
          <tr key={key}><th scope="row">{key}</th><td>{formatNumber(g.n)}</td><td>{pct(g.all)}</td><td>{pct(g.pristine)}</td><td>{pct(g.falsified)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

/** The paper's table, as CSV: each accuracy with its interval, and each breakdown. */
function metricsCsv(e: RunEvaluation): string {
  const lines = ['group,value,rows,all,pristine,falsified,all_ci_low,all_ci_high,pristine_ci_low,pristine_ci_high,falsified_ci_low,falsified_ci_high'];
  const a = e.accuracy;
  lines.push(['run', JSON.stringify(e.run), e.matched, e.all, e.pristine, e.falsified, a.all.ci?.[0], a.all.ci?.[1], a.pristine.ci?.[0], a.pristine.ci?.[1], a.falsified.ci?.[0], a.falsified.ci?.[1]].map((x) => x ?? '').join(','));
  for (const [group, table] of [['subsplit', e.bySubsplit], ['source', e.bySource], ['topic', e.byTopic]] as const) {
    for (const [key, g] of Object.entries(table)) lines.push([group, JSON.stringify(key), g.n, g.all, g.pristine, g.falsified].map((x) => x ?? '').join(','));
  }
  return `${lines.join('\n')}\n`;
}

function RunMetrics({ run, overview }: { run: PredictionRun; overview: Overview }) {
  const subsets = Object.entries(run.matched).filter(([, n]) => n > 0).map(([s]) => s);
  const [subset, setSubset] = useState(subsets.includes('test') ? 'test' : (subsets[0] ?? 'test'));
  const [evaluation, setEvaluation] = useState<RunEvaluation | null>(null);
  const [problems, setProblems] = useState<RunProblem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setEvaluation(null);
    setError(null);
    call('evaluation.get', { run: run.name, subset }).then(
      (e) => live && setEvaluation(e),
      (err: ApiError) => live && setError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [run.name, subset]);
  const rocOptions = useMemo((): Plot.PlotOptions | null => {
    if (!evaluation?.roc) return null;
    return {
      width: 360,
      height: 300,
      grid: true,
      x: { label: 'false positive rate', domain: [0, 1] },
      y: { label: 'true positive rate', domain: [0, 1] },
      marks: [Plot.link([{ x1: 0, y1: 0, x2: 1, y2: 1 }], { x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: '#bbb' }), Plot.line(evaluation.roc, { x: 'fpr', y: 'tpr', stroke: '#2563eb', strokeWidth: 2 })],
    };
  }, [evaluation]);
  const histogramOptions = useMemo((): Plot.PlotOptions | null => {
    const h = evaluation?.histogram;
    if (!h) return null;
    const width = (h.max - h.min) / h.pristine.length;
    const bins = (['pristine', 'falsified'] as const).flatMap((label) => h[label].map((n, i) => ({ label, n, x1: h.min + i * width, x2: h.min + (i + 1) * width })));
    return {
      width: 360,
      height: 300,
      x: { label: 'p(falsified)', domain: [h.min, h.max] },
      y: { label: 'rows', grid: true },
      color: { domain: ['pristine', 'falsified'], range: [LABEL_COLOURS.pristine, LABEL_COLOURS.falsified] },
      marks: [
        Plot.rectY(bins, { x1: 'x1', x2: 'x2', y: 'n', fill: 'label', fillOpacity: 0.5, title: (d: { label: string; n: number; x1: number; x2: number }) => `${d.label}: ${d.n} rows at ${d.x1.toFixed(3)}–${d.x2.toFixed(3)}` }),
        ...(evaluation.threshold ? [Plot.ruleX([evaluation.threshold.value], { stroke: '#111', strokeDasharray: '4,3' })] : []),
        Plot.ruleY([0]),
        ...legendMarks([{ label: 'pristine', colour: LABEL_COLOURS.pristine }, { label: 'falsified', colour: LABEL_COLOURS.falsified }], 'top-right'),
      ],
    };
  }, [evaluation]);
  const barOptions = useMemo((): Plot.PlotOptions | null => {
    if (!evaluation || Object.keys(evaluation.bySubsplit).length < 2) return null;
    const rows = Object.entries(evaluation.bySubsplit).flatMap(([group, g]) => (['all', 'pristine', 'falsified'] as const).map((measure) => ({ group, measure, value: g[measure] === null ? 0 : 100 * g[measure]! })));
    return {
      width: 520,
      height: 260,
      marginBottom: 40,
      fx: { label: null },
      x: { domain: ['all', 'pristine', 'falsified'], tickFormat: (d: string) => ({ all: 'All', pristine: 'Pristine', falsified: 'Falsified' })[d] ?? d, label: null },
      y: { label: 'accuracy %', domain: [0, 100], grid: true },
      color: { domain: ['all', 'pristine', 'falsified'], range: ['#64748b', LABEL_COLOURS.pristine, LABEL_COLOURS.falsified] },
      marks: [Plot.barY(rows, { fx: 'group', x: 'measure', y: 'value', fill: 'measure', title: (d: { measure: string; value: number }) => `${d.measure}: ${d.value.toFixed(2)}%` })],
    };
  }, [evaluation]);

  const e = evaluation;
  return (
    <section className="card run-metrics" aria-label={`Run ${run.name}`}>
      <header className="run-header">
        <h2>{run.name}</h2>
        <span className="small muted">{splitName(overview.splits, run.split)} · {run.file}</span>
        <label className="small">
          Subset{' '}
          <select value={subset} onChange={(ev) => setSubset(ev.target.value)} aria-label="Subset to evaluate">
            {subsets.map((s) => (
              <option key={s} value={s}>{s} ({formatNumber(run.matched[s] ?? 0)} rows)</option>
            ))}
          </select>
        </label>
        {e && <button type="button" className="link" onClick={() => saveText(metricsCsv(e), `${run.name}-${subset}.csv`, 'text/csv')}>Save the tables as CSV</button>}
      </header>
      {error && <p className="error" role="alert">{error}</p>}
      {!e && !error && <p className="muted" role="status">Evaluating…</p>}
      {e && (
        <>
          <p className="small" data-testid="coverage">
            {formatNumber(e.matched)} of the file's {countOf(e.rows, 'row')} ({pct(e.coverage)}% coverage) · {formatNumber(e.abstained)} abstained · {countOf(e.unmatched, 'row')} of the run not in the split
            {e.threshold && <> · labels at p ≥ {e.threshold.value.toFixed(3)} ({e.threshold.chosenOn})</>}
          </p>
          <div className="metrics-row">
            <table className="counts metrics" aria-label="Accuracy">
              <thead>
                <tr><th>accuracy %</th><th>abstentions wrong</th><th>95% interval</th><th>without abstentions</th></tr>
              </thead>
              <tbody>
                {(['all', 'pristine', 'falsified'] as const).map((k) => (
                  <tr key={k}>
                    <th scope="row">{k === 'all' ? 'All' : k === 'pristine' ? 'Pristine' : 'Falsified'}</th>
                    <td>{pct(e[k])}</td>
                    <td className="small muted">{interval(e.accuracy[k])}</td>
                    <td>{pct(e.excludingAbstentions[k])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table className="counts confusion" aria-label="Confusion matrix">
              <thead>
                <tr><th>truth \ answer</th><th>pristine</th><th>falsified</th><th>abstained</th></tr>
              </thead>
              <tbody>
                {(['pristine', 'falsified'] as const).map((t) => (
                  <tr key={t}><th scope="row">{t}</th><td>{formatNumber(e.confusion[t].pristine)}</td><td>{formatNumber(e.confusion[t].falsified)}</td><td>{formatNumber(e.confusion[t].abstained)}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="charts">
            {rocOptions && <PlotChart options={rocOptions} label={`ROC curve, AUC ${e.auc?.toFixed(4) ?? '—'}`} filename={`${run.name}-${subset}-roc`} />}
            {histogramOptions && <PlotChart options={histogramOptions} label={`Scores by truth${e.threshold ? ', dashed: the threshold' : ''}`} filename={`${run.name}-${subset}-scores`} />}
            {barOptions && <PlotChart options={barOptions} label="Accuracy per sub-split" filename={`${run.name}-${subset}-subsplits`} />}
          </div>
          <GroupTable title="sub-split" groups={e.bySubsplit} />
          <GroupTable title="source" groups={e.bySource} />
          <GroupTable title="topic" groups={e.byTopic} />
          <p className="small muted">Intervals: {formatNumber(e.bootstrap.resamples)} bootstrap resamples, seed {e.bootstrap.seed}.</p>
        </>
      )}
      {Object.keys(run.problems).length > 0 && (
        <details onToggle={(ev) => (ev.currentTarget.open && problems === null ? void call('predictions.problems', { name: run.name }).then((r) => setProblems(r.problems), (err: ApiError) => setError(describeError(err))) : undefined)}>
          <summary>
            Rows not used as they stand: {Object.entries(run.problems).map(([k, n]) => `${formatNumber(n)} ${k}`).join(', ')}
          </summary>
          <ul className="small problems">
            {(problems ?? []).map((p, i) => (
              <li key={i}>{p.kind}, line {p.line}: {p.detail}</li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

/** Two or more runs on the rows they all answered: accuracy, the overlap, the oracle, McNemar's test for each two. */
function CompareRuns({ names }: { names: string[] }) {
  const [comparison, setComparison] = useState<RunComparison | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = names.join('\u0000');
  useEffect(() => {
    let live = true;
    setComparison(null);
    setError(null);
    call('evaluation.compare', { runs: key.split('\u0000') }).then(
      (c) => live && setComparison(c),
      (err: ApiError) => live && setError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [key]);
  const rocOptions = useMemo((): Plot.PlotOptions | null => {
    const drawn = (comparison?.runs ?? []).filter((r) => r.roc !== null).map((r, i) => ({ label: `${r.run} (AUC ${r.auc!.toFixed(3)})`, colour: SERIES_COLOURS[i % SERIES_COLOURS.length]!, roc: r.roc! }));
    if (drawn.length === 0) return null;
    const curves = drawn.flatMap((r) => r.roc.map((p) => ({ ...p, run: r.label })));
    return {
      width: 420,
      height: 320,
      grid: true,
      x: { label: 'false positive rate', domain: [0, 1] },
      y: { label: 'true positive rate', domain: [0, 1] },
      color: { domain: drawn.map((r) => r.label), range: drawn.map((r) => r.colour) },
      marks: [Plot.link([{ x1: 0, y1: 0, x2: 1, y2: 1 }], { x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: '#bbb' }), Plot.line(curves, { x: 'fpr', y: 'tpr', stroke: 'run', strokeWidth: 2 }), ...legendMarks(drawn, 'bottom-right')],
    };
  }, [comparison]);
  const c = comparison;
  return (
    <section className="card" aria-label="Comparison">
      <h2>Comparison</h2>
      {error && <p className="error" role="alert">{error}</p>}
      {!c && !error && <p className="muted" role="status">Comparing…</p>}
      {c && (
        <>
          <p className="small">
            On the {countOf(c.rows, 'row')} every run answered ({formatNumber(c.pristineRows)} pristine): all right {formatNumber(c.allRight)}, all wrong {formatNumber(c.allWrong)}; the oracle (any run right) {pct(c.oracle)}%.
          </p>
          <table className="counts" aria-label="Runs compared">
            <thead>
              <tr><th>Run</th><th>accuracy %</th><th>only it right</th><th>rows it answered</th></tr>
            </thead>
            <tbody>
              {c.runs.map((r) => (
                <tr key={r.run}><th scope="row">{r.run}</th><td>{pct(r.accuracy)}</td><td>{formatNumber(r.onlyRight)}</td><td>{formatNumber(r.answered)}</td></tr>
              ))}
            </tbody>
          </table>
          <table className="counts" aria-label="McNemar's test">
            <thead>
              <tr><th>Runs</th><th>only the first right</th><th>only the second right</th><th>McNemar p</th></tr>
            </thead>
            <tbody>
              {c.mcnemar.map((m) => (
                <tr key={`${m.a}|${m.b}`}><th scope="row">{m.a} vs {m.b}</th><td>{formatNumber(m.onlyA)}</td><td>{formatNumber(m.onlyB)}</td><td>{m.p.toPrecision(3)}{m.exact ? ' (exact)' : ` (χ² ${m.statistic?.toFixed(2)})`}</td></tr>
              ))}
            </tbody>
          </table>
          {rocOptions && <PlotChart options={rocOptions} label={`ROC curves on the ${countOf(c.rows, 'row')} every run answered${c.runs.some((r) => r.roc === null) ? ' (runs of labels only have none)' : ''}`} filename={`compare-${c.split}-${c.subset}-roc`} />}
        </>
      )}
    </section>
  );
}

/**
 * The Evaluation view: prediction runs (imported here or with `ooc predictions import`), each
 * with the paper's All / Pristine / Falsified table, intervals, abstentions, coverage, the ROC
 * curve and the breakdowns; the comparison of runs; the baselines trained here; the token report.
 */
export default function EvaluationView({ overview, onOpen }: { overview: Overview; onOpen: (next: ViewUpdate) => void }) {
  const [runs, setRuns] = useState<PredictionRun[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [compared, setCompared] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    call('predictions.list', {}).then(
      (r) => {
        setRuns(r.runs);
        setSelected((s) => (s !== null && r.runs.some((x) => x.name === s) ? s : (r.runs.at(-1)?.name ?? null)));
      },
      (err: ApiError) => setError(describeError(err)),
    );
  }, []);
  useEffect(load, [load]);
  const onTrained = useCallback(
    (name: string) => {
      setSelected(name);
      load();
    },
    [load],
  );
  const run = runs?.find((r) => r.name === selected) ?? null;
  return (
    <div className="evaluation-view">
      <ImportRun overview={overview} onImported={load} />
      <TrainHead overview={overview} onTrained={onTrained} />
      {error && <p className="error" role="alert">{error}</p>}
      <section className="card" aria-label="Prediction runs">
        <h2>Runs</h2>
        {runs !== null && runs.length === 0 && <p className="muted">No prediction runs yet: import one above, or with <code>npm run ooc -- predictions import &lt;file&gt; --name &lt;run&gt;</code>.</p>}
        {runs !== null && runs.length > 0 && (
          <table className="counts runs">
            <thead>
              <tr><th>Run</th><th>Split</th><th>Rows matched</th><th>Rows read</th><th>Imported</th><th>Compare</th><th /></tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.name} className={r.name === selected ? 'selected' : undefined}>
                  <th scope="row"><button type="button" className="link" aria-pressed={r.name === selected} onClick={() => setSelected(r.name)}>{r.name}</button></th>
                  <td>{splitName(overview.splits, r.split)}</td>
                  <td>{Object.entries(r.matched).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${formatNumber(n)}`).join(', ')}</td>
                  <td>{formatNumber(r.rows)}</td>
                  <td className="small">{new Date(r.importedAt).toLocaleString()}</td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Compare ${r.name}`}
                      checked={compared.includes(r.name)}
                      onChange={(ev) => setCompared((c) => (ev.target.checked ? [...c, r.name] : c.filter((x) => x !== r.name)))}
                    />
                  </td>
                  <td>
                    <DeleteButton
                      question={`Delete the run "${r.name}"? Its file is not touched; importing it again brings it back.`}
                      onDelete={() => void call('predictions.delete', { name: r.name }).then((x) => setRuns(x.runs), (err: ApiError) => setError(describeError(err)))}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {compared.filter((name) => runs?.some((r) => r.name === name)).length >= 2 && <CompareRuns names={compared.filter((name) => runs?.some((r) => r.name === name))} />}
      {run && <RunMetrics key={run.name} run={run} overview={overview} />}
      <Dgm4Runs overview={overview} />
      <TokenReport overview={overview} onOpen={onOpen} />
    </div>
  );
}
