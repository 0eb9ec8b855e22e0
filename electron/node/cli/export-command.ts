import { createRequire } from 'node:module';
import { VERDICTS } from '../../common/curation.ts';
import { OocError } from '../../common/errors.ts';
import { EXPORT_FORMATS, STRATUM_KEYS, type ExportFormat, type SelectionPreview, type SelectionSpec, type StratumKey } from '../../common/export.ts';
import { PAIR_QUERY, parseInput } from '../../common/schemas.ts';
import { selectPairs } from '../export/selection.ts';
import { exportPairs } from '../export/write.ts';
import { optionalString, requireString, type Command } from './args.ts';
import { openCommandDatabase } from './database.ts';
import { handleInterrupts } from './interrupt.ts';
import { progressBar } from './progress.ts';

const VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

function list<T extends string>(value: string | undefined, allowed: readonly T[], option: string, fallback: T[]): T[] {
  if (value === undefined) return fallback;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (bad.length > 0 || items.length === 0) throw new OocError('BAD_ARGUMENT', `--${option} takes a comma-separated list of ${allowed.join(', ')}; got "${value}"`);
  return items as T[];
}

function integerOption(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new OocError('BAD_ARGUMENT', `--${option} must be an integer, got "${value}"`);
  return n;
}

/** The selection the options describe: a split file with filters, or a collection; with a sample. */
function selectionOf(values: Record<string, string | boolean | undefined>): SelectionSpec {
  const split = optionalString(values, 'split');
  const collection = optionalString(values, 'collection');
  const perStratum = integerOption(optionalString(values, 'sample'), 'sample');
  const sample =
    perStratum === undefined
      ? undefined
      : { perStratum, strata: list<StratumKey>(optionalString(values, 'stratify'), STRATUM_KEYS, 'stratify', []), seed: integerOption(optionalString(values, 'seed'), 'seed') ?? 1 };
  if (sample === undefined && optionalString(values, 'stratify') !== undefined) throw new OocError('BAD_ARGUMENT', '--stratify needs --sample <pairs per stratum>');
  if (split === undefined) {
    if (collection === undefined) throw new OocError('BAD_ARGUMENT', 'say which pairs: --split and --subset (with any filters), or --collection (see: ooc export --help)');
    return { collection, ...(sample ? { sample } : {}) };
  }
  const filters: Record<string, unknown> = { split, subset: requireString(values, 'subset', 'export') };
  for (const key of ['q', 'source', 'topic', 'label', 'verdict', 'tag', 'collection'] as const) {
    const v = optionalString(values, key);
    if (v !== undefined) filters[key] = v;
  }
  return { query: parseInput(PAIR_QUERY, filters), ...(sample ? { sample } : {}) };
}

function printPreview(p: SelectionPreview): void {
  process.stdout.write(`${p.pairs} pairs: ${p.pristineRows} pristine rows, ${p.falsifiedRows} falsified rows\n`);
  for (const s of p.strata) {
    const name = Object.entries(s.values).map(([k, v]) => `${k}=${v}`).join(' ') || 'all';
    process.stdout.write(`  ${name}: ${s.chosen} of ${s.available} pairs (${s.pristineRows} pristine, ${s.falsifiedRows} falsified)\n`);
  }
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'export pairs (filtered, curated, or a seeded stratified sample) as NewsCLIPpings JSON, JSONL and CSV',
  usage: `ooc export --out <folder> (--split <s> --subset <t> [filters] | --collection <name>)
           [--sample <n> [--stratify <keys>] [--seed <n>]] [--formats <list>] [--images] [--articles]
           [--preview] [--force] [--db <file>] [--json]

Which pairs
  --split, --subset  a split file; filters: --q <words> --source <s> --topic <t> --label pristine|falsified
                     --verdict ${[...VERDICTS, 'none'].join('|')} --tag <tag> --collection <name>
  --collection       without --split: every pair in the collection, from any split file

Evaluation subsets
  --sample <n>       n pairs (captions, each with its pristine and falsified rows) per stratum
  --stratify <keys>  comma-separated: ${STRATUM_KEYS.join(', ')} (label is balanced by construction)
  --seed <n>         the same seed gives the same pairs and byte-identical files (default 1)
  --preview          print the balance per stratum and write nothing

What is written (under --out, nothing absolute, written to a temporary folder then renamed)
  --formats          ${EXPORT_FORMATS.join(', ')} (default: all). newsclippings writes
                     news_clippings/data/<split>/<subset>.json in the original row order, fields and types,
                     and visual_news/origin/data.json for the items used; jsonl and csv write
                     pairs.jsonl and pairs.csv with captions, labels, scores, verdicts, tags, notes, image paths
  --images, --articles  copy them under visual_news/origin as VisualNews lays them out, so the export
                     is itself a copy the workbench (or the Python loaders) can open
  --force            replace --out when it holds a previous export, unchanged (an empty folder needs no
                     --force). Anything else is refused, and so is any folder that is, holds or lies
                     inside a dataset folder, the database, its side files or the app-data folder

Example, the paper's human evaluation design (50 per sub-split, 25 pristine + 25 falsified):
  ooc export --split merged_balanced --subset test --sample 25 --stratify subsplit --seed 1 --out human-eval`,
  options: {
    out: { type: 'string' },
    split: { type: 'string' },
    subset: { type: 'string' },
    q: { type: 'string' },
    source: { type: 'string' },
    topic: { type: 'string' },
    label: { type: 'string' },
    verdict: { type: 'string' },
    tag: { type: 'string' },
    collection: { type: 'string' },
    sample: { type: 'string' },
    stratify: { type: 'string' },
    seed: { type: 'string' },
    formats: { type: 'string' },
    images: { type: 'boolean' },
    articles: { type: 'boolean' },
    preview: { type: 'boolean' },
    force: { type: 'boolean' },
    db: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values) {
    const selection = selectionOf(values);
    const formats = list<ExportFormat>(optionalString(values, 'formats'), EXPORT_FORMATS, 'formats', [...EXPORT_FORMATS]);
    const db = openCommandDatabase(values);
    const controller = new AbortController();
    const stopHandling = handleInterrupts(controller, 'exporting');
    const bar = progressBar();
    try {
      if (values.preview === true) {
        const { preview } = selectPairs(db, selection);
        if (values.json === true) process.stdout.write(`${JSON.stringify(preview)}\n`);
        else printPreview(preview);
        return 0;
      }
      const summary = await exportPairs(db, {
        dir: requireString(values, 'out', 'export'),
        selection,
        formats,
        images: values.images === true,
        articles: values.articles === true,
        overwrite: values.force === true,
        version: VERSION,
        signal: controller.signal,
        onProgress: (p) => bar.draw(p.total > 0 ? p.done / p.total : 1, `${p.phase === 'rows' ? 'pairs' : 'files'} ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')}`),
      });
      bar.done();
      for (const line of summary.cleaned) process.stderr.write(`note: ${line}\n`);
      if (values.json === true) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        const missing = [summary.missing.images ? `${summary.missing.images} images` : '', summary.missing.articles ? `${summary.missing.articles} articles` : ''].filter(Boolean).join(', ');
        process.stdout.write(`Exported ${summary.pairs} pairs (${summary.rows} rows) to ${summary.dir}: ${summary.files} files, ${(summary.bytes / 1e6).toFixed(1)} MB in ${summary.seconds.toFixed(1)} s${missing ? `; not found on disk, so not copied: ${missing}` : ''}.\n`);
      }
      return 0;
    } finally {
      bar.done();
      stopHandling();
      db.close();
    }
  },
};
