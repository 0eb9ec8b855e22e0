import * as Plot from '@observablehq/plot';
import { useMemo, useState } from 'react';
import type { Overview } from '../../../electron/common/api.ts';
import type { TokenReport as Report, TokenReportText, TokenScore } from '../../../electron/common/evaluation.ts';
import type { HeadInfo } from '../../../electron/common/heads.ts';
import { call, type ApiError } from '../api/client.ts';
import { legendMarks, PlotChart, saveText } from '../components/PlotChart.tsx';
import { describeError } from '../errors.ts';
import { formatNumber, splitName } from '../format.ts';
import type { ViewUpdate } from '../state/view-state.ts';

const TEXT_NAMES: Record<TokenReportText, string> = { caption: 'the captions', 'image-caption': "the images' own captions" };
const COLOURS = { pristine: '#15803d', falsified: '#c2410c' };
const CHARTED = 15;

function reportCsv(r: Report): string {
  const [first, second] = r.groupNames;
  const lines = [`side,word,${first},${second},log_odds,z,p,significant`];
  for (const [side, words] of [[first, r.pristineWords], [second, r.falsifiedWords]] as const) {
    for (const w of words) lines.push([side, JSON.stringify(w.token), w.pristine, w.falsified, w.logOdds, w.z, w.p, Math.abs(w.z) >= r.criticalZ].join(','));
  }
  return `${lines.join('\n')}\n`;
}

function WordTable({ title, words, report, onOpen }: { title: string; words: TokenScore[]; report: Report; onOpen: ((word: string) => void) | null }) {
  return (
    <table className="counts words" aria-label={title}>
      <thead>
        <tr><th>{title}</th><th>{report.groupNames[0]}</th><th>{report.groupNames[1]}</th><th>z</th><th>p</th></tr>
      </thead>
      <tbody>
        {words.map((w) => (
          <tr key={w.token} className={Math.abs(w.z) >= report.criticalZ ? 'significant' : undefined}>
            <th scope="row">{onOpen === null ? w.token : <button type="button" className="link" title={report.text === 'caption' ? `Pairs of this split file whose caption says "${w.token}"` : `Every item whose caption says "${w.token}"`} onClick={() => onOpen(w.token)}>{w.token}</button>}</th>
            <td>{formatNumber(w.pristine)}</td>
            <td>{formatNumber(w.falsified)}</td>
            <td>{w.z.toFixed(2)}</td>
            <td>{w.p.toPrecision(2)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The token report, a bias check beside the unimodal heads: the words whose frequency differs
 * most between a split file's pristine and falsified rows (log-odds ratio with an informative
 * Dirichlet prior), in the rows' captions or in the captions of the rows' images. A word opens
 * the pairs whose caption says it (or, for the images' captions, the items that do).
 */
export function TokenReport({ overview, onOpen }: { overview: Overview; onOpen: (next: ViewUpdate) => void }) {
  const splits = overview.splits.filter((s) => overview.files.some((f) => f.split === s.folder));
  // A DGM4 split is chosen as "dgm4:<split>": its real texts against its manipulated ones.
  const [split, setSplit] = useState(splits[0]?.folder ?? (overview.dgm4[0] ? `dgm4:${overview.dgm4[0].split}` : ''));
  const dgm4Split = split.startsWith('dgm4:') ? split.slice(5) : null;
  const subsets = overview.files.filter((f) => f.split === split).map((f) => f.subset);
  const [subset, setSubset] = useState('test');
  const [text, setText] = useState<TokenReportText>('caption');
  const [report, setReport] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [heads, setHeads] = useState<HeadInfo[]>([]);
  const chosenSubset = subsets.includes(subset) ? subset : (subsets[0] ?? '');
  const count = (over: { text?: TokenReportText } = {}) => {
    setBusy(true);
    setError(null);
    // The heads trained so far, for the unimodal line beside the report.
    call('heads.list', {}).then((r) => setHeads(r.heads), () => setHeads([]));
    const request = dgm4Split === null ? { split, subset: chosenSubset, text: over.text ?? text } : { dataset: 'dgm4' as const, split: dgm4Split };
    call('evaluation.tokens', { ...request, top: 40 }).then(
      (r) => {
        setReport(r);
        setBusy(false);
      },
      (err: ApiError) => {
        setError(describeError(err));
        setBusy(false);
      },
    );
  };
  const chart = useMemo((): Plot.PlotOptions | null => {
    if (!report || report.identical) return null;
    const [first, second] = report.groupNames;
    const rows = [...report.falsifiedWords.slice(0, CHARTED).reverse(), ...report.pristineWords.slice(0, CHARTED)].map((w) => ({ ...w, side: w.z > 0 ? first : second }));
    if (rows.length === 0) return null;
    return {
      width: 560,
      height: 24 + rows.length * 14,
      marginLeft: 110,
      x: { label: 'z (log-odds ratio, informative Dirichlet prior)', grid: true },
      y: { domain: rows.map((r) => r.token), label: null, tickFormat: (t: string) => (t.length > 16 ? `${t.slice(0, 15)}…` : t) },
      color: { domain: [first, second], range: [COLOURS.pristine, COLOURS.falsified] },
      marks: [
        Plot.barX(rows, { x: 'z', y: 'token', fill: 'side', title: (d: TokenScore) => `${d.token}: ${d.pristine} ${first}, ${d.falsified} ${second}, z ${d.z.toFixed(2)}` }),
        Plot.ruleX([-report.criticalZ, report.criticalZ], { stroke: '#111', strokeDasharray: '4,3' }),
        Plot.ruleX([0]),
        ...legendMarks([{ label: `leans ${first}`, colour: COLOURS.pristine }, { label: `leans ${second}`, colour: COLOURS.falsified }], 'bottom-right'),
      ],
    };
  }, [report]);
  const unimodal = heads.filter((h) => h.split === report?.split && h.inputs !== 'both');
  const openWord =
    report?.dataset === 'dgm4'
      ? null
      : (word: string): void => onOpen(report?.text === 'caption' ? { view: 'pairs', split: report.split, subset: report.subset, q: word } : { view: 'items', find: word });
  const r = report;
  return (
    <section className="card token-report" aria-label="Bias check: words">
      <h2>Bias check: words</h2>
      <p className="small muted">
        The words whose frequency differs most between a split file's pristine and falsified rows (or DGM4's real and manipulated texts) — the check that exposes a generator's artefacts when a text-only model does too well. Each word's log-odds ratio with an informative Dirichlet prior (the pooled counts; Monroe et al. 2008), its z-score and p; bold: significant at 5% after a Bonferroni correction.
      </p>
      <form
        className="import-form"
        onSubmit={(e) => {
          e.preventDefault();
          count();
        }}
      >
        <label>
          Split
          <select value={split} onChange={(e) => setSplit(e.target.value)} aria-label="Split for the token report">
            {splits.map((s) => <option key={s.folder} value={s.folder}>{s.name}</option>)}
            {overview.dgm4.length > 0 && (
              <optgroup label="DGM4: real against manipulated texts">
                {overview.dgm4.map((s) => <option key={s.split} value={`dgm4:${s.split}`}>DGM4 {s.split}</option>)}
              </optgroup>
            )}
          </select>
        </label>
        {dgm4Split === null && (<>
        <label>
          Subset
          <select value={chosenSubset} onChange={(e) => setSubset(e.target.value)} aria-label="Subset for the token report">
            {subsets.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>
          Texts
          <select value={text} onChange={(e) => setText(e.target.value as TokenReportText)} aria-label="Texts compared">
            {(Object.keys(TEXT_NAMES) as TokenReportText[]).map((t) => <option key={t} value={t}>{TEXT_NAMES[t]}</option>)}
          </select>
        </label>
        </>)}
        <button type="submit" disabled={split === '' || busy}>{busy ? 'Counting…' : 'Count words'}</button>
      </form>
      {unimodal.length > 0 && (
        <p className="small" data-testid="unimodal-heads">
          Unimodal heads on {splitName(overview.splits, report!.split)}: {unimodal.map((h) => `${h.name} (${h.inputs === 'text' ? 'caption' : 'image'} only) ${(100 * h.valAccuracy).toFixed(1)}% on val`).join(' · ')}
        </p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {r && (
        <>
          <p className="small" data-testid="token-summary">
            {r.dataset === 'dgm4' ? `DGM4 ${r.split}, the texts` : `${splitName(overview.splits, r.split)} ${r.subset}, ${TEXT_NAMES[r.text]}`}: {formatNumber(r.groups.pristine.rows)} {r.groupNames[0]} rows ({formatNumber(r.groups.pristine.tokens)} words), {formatNumber(r.groups.falsified.rows)} {r.groupNames[1]} ({formatNumber(r.groups.falsified.tokens)} words)
            {r.groups.pristine.withoutText + r.groups.falsified.withoutText > 0 && <>; {formatNumber(r.groups.pristine.withoutText + r.groups.falsified.withoutText)} rows without an indexed text left out</>}
            {' '}· {formatNumber(r.tested)} of {formatNumber(r.vocabulary)} words seen at least {r.minCount} times tested; <strong>{formatNumber(r.significant)} significant</strong> (|z| ≥ {r.criticalZ.toFixed(2)})
          </p>
          {r.identical ? (
            <p className="notice" role="status">
              No word can tell the two groups apart: every {r.text === 'caption' ? 'caption' : 'text'} appears in both as often (each caption is paired once with its own image and once with a swapped one), so a caption-only model sits at 50% here.
              {r.text === 'caption' && (
                <>
                  {' '}
                  <button
                    type="button"
                    className="link"
                    onClick={() => {
                      setText('image-caption');
                      count({ text: 'image-caption' });
                    }}
                  >
                    Compare the images' own captions
                  </button>{' '}
                  — what an image-only model could pick up.
                </>
              )}
            </p>
          ) : (
            <>
              <div className="metrics-row">
                <WordTable title={`leaning ${r.groupNames[0]}`} words={r.pristineWords} report={r} onOpen={openWord} />
                <WordTable title={`leaning ${r.groupNames[1]}`} words={r.falsifiedWords} report={r} onOpen={openWord} />
              </div>
              <div className="charts">{chart && <PlotChart options={chart} label={`The ${CHARTED} words leaning most each way; dashed: the significance bounds`} filename={`words-${r.split}-${r.subset}-${r.text}`} />}</div>
              <button type="button" className="link" onClick={() => saveText(reportCsv(r), `words-${r.split}-${r.subset}-${r.text}.csv`, 'text/csv')}>Save the words as CSV</button>
            </>
          )}
        </>
      )}
    </section>
  );
}
