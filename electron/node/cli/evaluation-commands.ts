import { PROBLEM_KINDS, TOKEN_REPORT_TEXTS, type GroupMetrics, type ProblemKind, type RunComparison, type RunEvaluation, type TokenReport, type TokenReportText, type TokenScore } from '../../common/evaluation.ts';
import { splitDisplayName } from '../../common/datasets.ts';
import { OocError } from '../../common/errors.ts';
import { defaultDatabasePath } from '../app-paths.ts';
import { compareRuns, evaluateRun } from '../evaluation/evaluate.ts';
import { importPredictions } from '../evaluation/import-run.ts';
import { tokenReport } from '../evaluation/token-report.ts';
import { deleteRun, listRuns, requireRun, runProblems } from '../store/predictions.ts';
import { optionalString, requireString, type Command } from './args.ts';
import { openCommandDatabase } from './database.ts';
import { writeFigures } from './output.ts';

const pct = (x: number | null): string => (x === null ? '   —  ' : `${(100 * x).toFixed(2).padStart(6)}`);
const count = (n: number): string => n.toLocaleString('en-US');

function intOption(values: Record<string, string | boolean | undefined>, name: string, fallback: number, min: number): number {
  const raw = optionalString(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new OocError('BAD_ARGUMENT', `--${name} must be an integer of at least ${min}, got "${raw}"`);
  return n;
}

export const predictionsCommand: Command = {
  name: 'predictions',
  summary: "import a detector's predictions as a named run; list, show the problems of, or delete runs",
  usage: `ooc predictions import <file> --name <run> [--split <s>] [--subset <t>] [--replace] [--dry-run] [--db <file>] [--json]
       ooc predictions list [--db <file>] [--json]
       ooc predictions problems --name <run> [--kind ${PROBLEM_KINDS.join('|')}] [--db <file>]
       ooc predictions delete --name <run> [--db <file>]

  <file>       a JSON list of objects (e.g. CMIE's {image_id, article_id, falsified, prediction,
               explanation}), JSON Lines (e.g. our pairs.jsonl with a prediction added), or CSV/TSV
               with a header: a caption id, an image id (or VisualNews image path), and a label
               (yes/no, 1/0, true/false, falsified/pristine, fake/real: any other text is an
               abstention) or a probability that the pair is falsified
  --name       the run's name
  --split      the NewsCLIPpings split (default: the one the rows are pairs of)
  --subset     match against this subset only (default: every subset of the split; a "subset"
               field, where the file has one, says which)
  --caption-field, --image-field, --prediction-field, --probability-field, --truth-field
               which field holds what, where the names are not recognised
  --replace    replace a run of the same name
  --dry-run    read and match the file, print what was understood and the problems, store nothing
  --db         database file (default: ${defaultDatabasePath()})

The truth always comes from the indexed split file: a "falsified" field in the file is only
compared (disagreements are listed). Rows not in the split, repeated rows and unreadable values
are counted and listed with their line numbers.`,
  options: {
    db: { type: 'string' },
    json: { type: 'boolean' },
    name: { type: 'string' },
    split: { type: 'string' },
    subset: { type: 'string' },
    kind: { type: 'string' },
    replace: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'caption-field': { type: 'string' },
    'image-field': { type: 'string' },
    'prediction-field': { type: 'string' },
    'probability-field': { type: 'string' },
    'truth-field': { type: 'string' },
  },
  async run(values, positionals) {
    const [action, file, ...extra] = positionals;
    if (extra.length > 0) throw new OocError('BAD_ARGUMENT', `unexpected arguments: ${extra.join(' ')} (see: ooc predictions --help)`);
    const db = openCommandDatabase(values);
    try {
      if (action === 'import') {
        if (file === undefined) throw new OocError('BAD_ARGUMENT', 'missing the predictions file (see: ooc predictions --help)');
        const fields = Object.fromEntries(
          (['caption', 'image', 'prediction', 'probability', 'truth'] as const).flatMap((role) => {
            const field = optionalString(values, `${role}-field`);
            return field === undefined ? [] : [[role, field]];
          }),
        );
        const split = optionalString(values, 'split');
        const subset = optionalString(values, 'subset');
        const result = await importPredictions(db, {
          file,
          name: requireString(values, 'name', 'predictions'),
          ...(split === undefined ? {} : { split }),
          ...(subset === undefined ? {} : { subset }),
          fields,
          replace: values.replace === true,
          dryRun: values['dry-run'] === true,
          onProgress: (rows) => process.stderr.isTTY && process.stderr.write(`\r${count(rows)} rows read`),
        });
        if (process.stderr.isTTY) process.stderr.write('\r');
        if (values.json === true) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return 0;
        }
        const { run } = result;
        const m = run.mapping;
        process.stdout.write(`${result.stored ? 'Imported' : 'Would import (dry run: nothing stored)'} run "${run.name}" from ${run.file} (${run.format})\n`);
        process.stdout.write(`  fields: caption id ← ${m.caption}, image ${m.imageBy} ← ${m.image}${m.prediction ? `, label ← ${m.prediction}` : ''}${m.probability ? `, p(falsified) ← ${m.probability}` : ''}${m.truth ? `, compared with ← ${m.truth}` : ''}${m.explanation ? `, explanation ← ${m.explanation}` : ''}${m.subset ? `, subset ← ${m.subset}` : ''}\n`);
        process.stdout.write(`  split: ${splitDisplayName(run.split)} (${run.split}); ${count(run.rows)} rows read; matched ${Object.entries(run.matched).map(([s, n]) => `${s} ${count(n)}`).join(', ')}\n`);
        for (const p of result.preview) process.stdout.write(`  line ${p.line}: ${p.understood}\n`);
        reportProblems(run.problems, result.problems);
        return 0;
      }
      if (action === 'list') {
        const runs = listRuns(db);
        if (values.json === true) process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
        else if (runs.length === 0) process.stdout.write('No prediction runs yet: import one with `ooc predictions import <file> --name <run>`.\n');
        else for (const r of runs) process.stdout.write(`${r.name}  ${r.split}  ${Object.entries(r.matched).map(([s, n]) => `${s} ${count(n)}`).join(', ')}  of ${count(r.rows)} rows  (${r.importedAt}, ${r.file})\n`);
        return 0;
      }
      if (action === 'problems') {
        const run = requireRun(db, requireString(values, 'name', 'predictions'));
        const kind = optionalString(values, 'kind');
        if (kind !== undefined && !PROBLEM_KINDS.includes(kind as ProblemKind)) throw new OocError('BAD_ARGUMENT', `--kind must be one of ${PROBLEM_KINDS.join(', ')}`);
        reportProblems(run.problems, runProblems(db, run.id, kind as ProblemKind | undefined, 10_000), Number.POSITIVE_INFINITY);
        return 0;
      }
      if (action === 'delete') {
        const name = requireString(values, 'name', 'predictions');
        deleteRun(db, name);
        process.stdout.write(`Deleted run "${name}".\n`);
        return 0;
      }
      throw new OocError('BAD_ARGUMENT', `unknown action "${action ?? ''}": import, list, problems or delete (see: ooc predictions --help)`);
    } finally {
      db.close();
    }
  },
};

function reportProblems(counts: Partial<Record<ProblemKind, number>>, examples: { kind: ProblemKind; line: number; detail: string }[], shown = 5): void {
  for (const kind of PROBLEM_KINDS) {
    const n = counts[kind] ?? 0;
    if (n === 0) continue;
    process.stdout.write(`  ${count(n)} ${kind}${kind === 'truth-disagrees' ? ' (used, with the split file as the truth)' : ' (not used)'}:\n`);
    const listed = examples.filter((e) => e.kind === kind);
    for (const e of listed.slice(0, shown)) process.stdout.write(`    line ${e.line}: ${e.detail}\n`);
    if (n > Math.min(shown, listed.length)) process.stdout.write(`    … ${count(n - Math.min(shown, listed.length))} more${Number.isFinite(shown) ? ' (ooc predictions problems --name <run>)' : ''}\n`);
  }
}

function groupTable(title: string, groups: Record<string, GroupMetrics>): string {
  const entries = Object.entries(groups);
  if (entries.length <= 1) return '';
  const width = Math.max(title.length, ...entries.map(([k]) => k.length));
  const lines = entries.map(([k, g]) => `  ${k.padEnd(width)}  ${count(g.n).padStart(8)}  ${pct(g.all)}  ${pct(g.pristine)}  ${pct(g.falsified)}`);
  return `\n  ${title.padEnd(width)}      rows     All  Pristine Falsified\n${lines.join('\n')}\n`;
}

export function formatEvaluation(e: RunEvaluation): string {
  const ci = (a: { ci: [number, number] | null }): string => (a.ci === null ? '' : `[${pct(a.ci[0]).trim()}, ${pct(a.ci[1]).trim()}]`);
  const c = e.confusion;
  return [
    `Run "${e.run}" on ${splitDisplayName(e.split)} ${e.subset}: ${count(e.matched)} of the file's ${count(e.rows)} rows (coverage ${pct(e.coverage).trim()}%), ${count(e.abstained)} abstained, ${count(e.unmatched)} row${e.unmatched === 1 ? '' : 's'} of the run not in the split`,
    '',
    `  accuracy %    (abstentions wrong)   95% CI (${e.bootstrap.resamples} resamples, seed ${e.bootstrap.seed})   excluding abstentions`,
    `  All           ${pct(e.all)}                ${ci(e.accuracy.all).padEnd(34)}${pct(e.excludingAbstentions.all)}`,
    `  Pristine      ${pct(e.pristine)}                ${ci(e.accuracy.pristine).padEnd(34)}${pct(e.excludingAbstentions.pristine)}`,
    `  Falsified     ${pct(e.falsified)}                ${ci(e.accuracy.falsified).padEnd(34)}${pct(e.excludingAbstentions.falsified)}`,
    '',
    `  truth \\ answer   pristine  falsified  abstained`,
    `  pristine        ${count(c.pristine.pristine).padStart(9)}  ${count(c.pristine.falsified).padStart(9)}  ${count(c.pristine.abstained).padStart(9)}`,
    `  falsified       ${count(c.falsified.pristine).padStart(9)}  ${count(c.falsified.falsified).padStart(9)}  ${count(c.falsified.abstained).padStart(9)}`,
    e.auc === null ? '' : `\n  ROC AUC ${e.auc.toFixed(4)}${e.threshold === null ? '' : `; labels at p ≥ ${e.threshold.value.toFixed(4)} (${e.threshold.chosenOn})`}`,
    groupTable('sub-split', e.bySubsplit) + groupTable('source', e.bySource) + groupTable('topic', e.byTopic),
  ].join('\n');
}

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: "a prediction run's All / Pristine / Falsified accuracy with confidence intervals, AUC and breakdowns",
  usage: `ooc evaluate --run <name> [--split <s>] [--subset <t>] [--json <file>] [--resamples <n>] [--seed <n>] [--db <file>]

  --run        a run imported with \`ooc predictions import\`
  --split      the run's split (a check: a run is evaluated on the split it was imported for)
  --subset     the split file's subset (default: test when the run has it)
  --json       also write the figures as JSON to this file ("-": standard output only)
  --resamples  bootstrap resamples for the 95% intervals (default 1000; 0: none)
  --seed       the bootstrap's seed (default 0): the same seed gives the same intervals
  --db         database file (default: ${defaultDatabasePath()})`,
  options: { db: { type: 'string' }, run: { type: 'string', multiple: true }, split: { type: 'string' }, subset: { type: 'string' }, json: { type: 'string' }, resamples: { type: 'string' }, seed: { type: 'string' } },
  async run(values) {
    // Opened as other commands open it (an older database is upgraded on the way), though only read.
    const db = openCommandDatabase(values);
    try {
      const names = (values.run as unknown as string[] | undefined) ?? [];
      if (names.length === 0) throw new OocError('BAD_ARGUMENT', 'missing --run (see: ooc evaluate --help)');
      const split = optionalString(values, 'split');
      for (const name of names) {
        const run = requireRun(db, name);
        if (split !== undefined && split !== run.split) throw new OocError('BAD_ARGUMENT', `run "${name}" was imported for ${run.split}, not ${split}`);
      }
      const subset = optionalString(values, 'subset');
      if (names.length > 1) {
        const comparison = compareRuns(db, names, subset);
        writeFigures(values, comparison, formatComparison(comparison));
        return 0;
      }
      const evaluation = evaluateRun(db, names[0]!, { ...(subset === undefined ? {} : { subset }), resamples: intOption(values, 'resamples', 1000, 0), seed: intOption(values, 'seed', 0, 0) });
      writeFigures(values, evaluation, formatEvaluation(evaluation));
      return 0;
    } finally {
      db.close();
    }
  },
};

export function formatComparison(c: RunComparison): string {
  const width = Math.max(...c.runs.map((r) => r.run.length), 3);
  return [
    `${c.runs.length} runs on ${splitDisplayName(c.split)} ${c.subset}: the ${count(c.rows)} rows every run answered (${count(c.pristineRows)} pristine)`,
    '',
    `  ${'run'.padEnd(width)}  accuracy %  only it right   rows it answered   AUC`,
    ...c.runs.map((r) => `  ${r.run.padEnd(width)}  ${pct(r.accuracy).padStart(10)}  ${count(r.onlyRight).padStart(13)}   ${count(r.answered).padStart(16)}   ${r.auc === null ? '—' : r.auc.toFixed(4)}`),
    '',
    `  all right ${count(c.allRight)}, all wrong ${count(c.allWrong)}; oracle (any run right) ${pct(c.oracle).trim()}%`,
    ...c.mcnemar.map((m) => `  McNemar ${m.a} vs ${m.b}: only ${m.a} right ${count(m.onlyA)}, only ${m.b} right ${count(m.onlyB)}, p = ${m.p.toPrecision(3)}${m.exact ? ' (exact)' : ` (χ² ${m.statistic!.toFixed(2)})`}`),
  ].join('\n');
}

export function formatTokenReport(r: TokenReport): string {
  const g = r.groups;
  const [first, second] = r.groupNames;
  const what = r.dataset === 'dgm4' ? 'texts' : r.text === 'caption' ? 'captions' : "captions of the rows' images";
  const missing = g.pristine.withoutText + g.falsified.withoutText;
  const head = [
    `${r.dataset === 'dgm4' ? `DGM4 ${r.split}` : `${splitDisplayName(r.split)} ${r.subset}`}, ${what}: ${count(g.pristine.rows)} ${first} rows (${count(g.pristine.tokens)} words), ${count(g.falsified.rows)} ${second} rows (${count(g.falsified.tokens)} words)${missing > 0 ? `; ${count(missing)} rows without an indexed text left out` : ''}`,
    `  log-odds ratio with an informative Dirichlet prior (pooled counts, α0 = ${count(Math.round(r.prior))}); ${count(r.tested)} of ${count(r.vocabulary)} words seen at least ${r.minCount} times tested; ${count(r.significant)} significant at 5% after Bonferroni (|z| ≥ ${r.criticalZ.toFixed(2)})`,
  ];
  if (r.identical) {
    head.push('', `  No word can differ: every ${r.text === 'caption' ? 'caption' : 'text'} appears in both groups as often (each caption is paired with its own image and with a swapped one).`);
    if (r.text === 'caption') head.push("  A text-only model sits at 50% here; compare the captions of the rows' images instead (--text image-caption).");
    return head.join('\n');
  }
  const width = Math.max(4, ...[...r.pristineWords, ...r.falsifiedWords].map((w) => w.token.length));
  const side = (title: string, words: TokenScore[]): string[] => [
    '',
    `  ${title}`,
    `  ${'word'.padEnd(width)}  ${first.padStart(9)}  ${second.padStart(9)}   log-odds       z          p`,
    ...words.map((w) => `  ${w.token.padEnd(width)}  ${count(w.pristine).padStart(9)}  ${count(w.falsified).padStart(9)}  ${w.logOdds.toFixed(3).padStart(9)}  ${w.z.toFixed(2).padStart(7)}  ${w.p.toPrecision(3).padStart(9)}${Math.abs(w.z) >= r.criticalZ ? ' *' : ''}`),
  ];
  return [...head, ...side(`leaning ${first}`, r.pristineWords), ...side(`leaning ${second}`, r.falsifiedWords)].join('\n');
}

export const tokenReportCommand: Command = {
  name: 'token-report',
  summary: 'the words whose frequency differs most between the pristine and falsified rows of a split file (a bias check)',
  usage: `ooc token-report --split <s> [--subset <t>] [--text caption|image-caption] [--min-count <n>] [--top <n>] [--prior <α0>] [--json <file>] [--db <file>]
       ooc token-report --dgm4 --split <train|val|test> [--min-count <n>] [--top <n>] [--prior <α0>] [--json <file>] [--db <file>]

  --split      the NewsCLIPpings split (folder name, e.g. merged_balanced), or with --dgm4 DGM4's split
  --dgm4       DGM4's real texts (pristine samples and those with only a face manipulated) against
               its manipulated ones (text swap or text attribute), from ooc index --dgm4
  --subset     train, val or test (default: test)
  --text       caption: the rows' captions (default); image-caption: the original captions of the
               rows' images, what an image-only model could pick up
  --min-count  words seen fewer times in both groups together are not tested (default 5)
  --top        words listed per side (default 40)
  --prior      the Dirichlet prior's size in tokens (default: a tenth of the pooled tokens)
  --json       also write the report as JSON to this file ("-": standard output only)
  --db         database file (default: ${defaultDatabasePath()})

Each word's log-odds ratio between the two groups with an informative Dirichlet prior from the
pooled counts (Monroe, Colaresi and Quinn 2008), its z-score and two-sided p; * marks words
significant at 5% after a Bonferroni correction over the words tested.`,
  options: { db: { type: 'string' }, split: { type: 'string' }, dgm4: { type: 'boolean' }, subset: { type: 'string' }, text: { type: 'string' }, 'min-count': { type: 'string' }, top: { type: 'string' }, prior: { type: 'string' }, json: { type: 'string' } },
  async run(values) {
    const text = optionalString(values, 'text') ?? 'caption';
    if (!TOKEN_REPORT_TEXTS.includes(text as TokenReportText)) throw new OocError('BAD_ARGUMENT', `--text must be one of ${TOKEN_REPORT_TEXTS.join(', ')}, got "${text}"`);
    const prior = optionalString(values, 'prior');
    if (prior !== undefined && !(Number(prior) > 0)) throw new OocError('BAD_ARGUMENT', `--prior must be a positive number, got "${prior}"`);
    const subset = optionalString(values, 'subset');
    const db = openCommandDatabase(values);
    try {
      const report = tokenReport(db, {
        ...(values.dgm4 === true ? { dataset: 'dgm4' as const } : {}),
        split: requireString(values, 'split', 'token-report'),
        ...(subset === undefined ? {} : { subset }),
        text: text as TokenReportText,
        minCount: intOption(values, 'min-count', 5, 1),
        top: intOption(values, 'top', 40, 1),
        ...(prior === undefined ? {} : { prior: Number(prior) }),
      });
      writeFigures(values, report, formatTokenReport(report));
      return 0;
    } finally {
      db.close();
    }
  },
};
