import path from 'node:path';
import { SPLITS, SUBSETS, type SplitFolder, type Subset } from '../../common/datasets.ts';
import { OocError } from '../../common/errors.ts';
import { defaultDatabasePath } from '../app-paths.ts';
import { importEmbeddings } from '../embeddings/import.ts';
import { computePairScores, scorableNames, scoreRuns } from '../store/pair-scores.ts';
import { describeAnn, describeProviders } from '../../common/describe.ts';
import { EMBED_WHAT, type EmbedWhat } from '../../common/models.ts';
import { ClipModel, probeProviders } from '../inference/clip.ts';
import { runEmbedJob } from '../inference/embed-job.ts';
import { hashImages } from '../vetting/hash-job.ts';
import { NeighbourSearch } from '../inference/neighbours.ts';
import { annStatus, buildAnnIndex } from '../inference/ann.ts';
import { getSet, type EmbeddingKind, type EmbeddingSet } from '../store/vectors.ts';
import { CATALOG, installModel } from '../inference/install.ts';
import { parseProviderChoice } from '../inference/providers.ts';
import { listModels, resolveModel } from '../inference/registry.ts';
import type { Db } from '../store/db.ts';
import { captionOf } from '../store/items.ts';
import { optionalString, type Command } from './args.ts';
import { openCommandDatabase } from './database.ts';
import { handleInterrupts } from './interrupt.ts';
import { progressBar } from './progress.ts';


/** Scores every pair under each of `names` that has caption vectors, with a progress bar; returns one line per name. */
async function scorePairs(db: Db, names: string[], signal?: AbortSignal): Promise<string[]> {
  const lines: string[] = [];
  for (const name of names.filter((n) => scorableNames(db).includes(n))) {
    const bar = progressBar();
    try {
      const run = await computePairScores(db, name, { ...(signal ? { signal } : {}), onProgress: (p) => bar.draw(p.total > 0 ? p.done / p.total : 1, `scoring pairs (${name}) ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')}`) });
      lines.push(`Pair scores (${name}): ${run.textImage.toLocaleString('en-US')} of ${run.pairs.toLocaleString('en-US')} pairs have text–image scores, ${run.textText.toLocaleString('en-US')} text–text.`);
    } finally {
      bar.done();
    }
  }
  return lines;
}

export const embedCommand: Command = {
  name: 'embed',
  summary: "compute CLIP embeddings of the indexed images and captions (resumable)",
  usage: `ooc embed [--model <dir or id>] [--what images|captions|all] [--split <s>] [--subset <t>]
          [--ep auto|cpu|webgpu|cuda] [--batch <n>] [--retry-failed] [--db <file>] [--json]

  --model         a model folder or an installed model's id (default: the first installed model
                  with real weights, else the bundled tiny model, whose scores mean nothing)
  --what          images, captions or all (default: all)
  --split         only the items the pairs of this split use: ${SPLITS.map((s) => s.folder).join(', ')}
  --subset        with --split: ${SUBSETS.join(', ')}
  --ep            execution provider; auto tries cuda, then webgpu, then cpu (default: auto)
  --batch         items per model call (default: 32 images, 128 captions)
  --retry-failed  try again the items that failed before (missing or corrupt images)
  --db            database file (default: ${defaultDatabasePath()})

Vectors are stored per model beside the database. Ctrl-C stops after the current batch; the
same command continues where it stopped.`,
  options: {
    model: { type: 'string' },
    what: { type: 'string' },
    split: { type: 'string' },
    subset: { type: 'string' },
    ep: { type: 'string' },
    batch: { type: 'string' },
    'retry-failed': { type: 'boolean' },
    db: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values) {
    const what = (optionalString(values, 'what') ?? 'all') as EmbedWhat;
    if (!EMBED_WHAT.includes(what)) throw new OocError('BAD_ARGUMENT', `--what must be one of ${EMBED_WHAT.join(', ')}, got "${what}"`);
    const split = optionalString(values, 'split');
    if (split !== undefined && !SPLITS.some((s) => s.folder === split)) throw new OocError('BAD_ARGUMENT', `--split must be one of ${SPLITS.map((s) => s.folder).join(', ')}`);
    const subset = optionalString(values, 'subset');
    if (subset !== undefined && !(SUBSETS as readonly string[]).includes(subset)) throw new OocError('BAD_ARGUMENT', `--subset must be one of ${SUBSETS.join(', ')}`);
    const batch = optionalString(values, 'batch');
    const batchSize = batch === undefined ? undefined : Number(batch);
    if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 4096)) throw new OocError('BAD_ARGUMENT', `--batch must be an integer from 1 to 4096, got "${batch}"`);
    const ep = parseProviderChoice(optionalString(values, 'ep') ?? 'auto');
    const model = await resolveModel(optionalString(values, 'model'));
    const clip = new ClipModel(model, ep);
    const db = openCommandDatabase(values);
    const controller = new AbortController();
    const stopHandling = handleInterrupts(controller, 'embedding');
    const bar = progressBar();
    try {
      if (!model.manifest.weights.meaningfulScores) process.stderr.write(`Model ${model.manifest.id} has random weights: its scores and neighbours are meaningless (for trying the app only).\n`);
      const summary = await runEmbedJob(
        db,
        clip,
        { what, ...(split ? { split: split as SplitFolder } : {}), ...(subset ? { subset: subset as Subset } : {}), ...(values['retry-failed'] === true ? { retryFailed: true } : {}), ...(batchSize ? { batchSize } : {}) },
        {
          signal: controller.signal,
          onProgress: (p) => bar.draw(p.total > 0 ? p.done / p.total : 1, `${p.kind === 'image' ? 'images  ' : 'captions'} ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')}  ${p.perSecond.toFixed(1)}/s  ${p.skipped} skipped`, p.done === p.total),
        },
      );
      bar.done();
      const scored = await scorePairs(db, [summary.model], controller.signal);
      // Images that were embedded get their perceptual hashes too (for vetting), once.
      const hashes =
        what === 'captions'
          ? null
          : await hashImages(db, { signal: controller.signal, onProgress: (p) => bar.draw(p.total > 0 ? p.done / p.total : 1, `hashing ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')}`, p.done === p.total) });
      bar.done();
      if (values.json === true) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        process.stdout.write(`${[...describeProviders(summary.providers), ...scored].join('\n')}\n`);
        for (const k of summary.kinds) {
          const skips = Object.entries(k.skipped).map(([reason, n]) => `${n} ${reason}`).join(', ');
          process.stdout.write(`${k.kind === 'image' ? 'Images' : 'Captions'}: ${k.embedded} embedded in ${k.seconds.toFixed(1)} s${k.alreadyDone > 0 ? `, ${k.alreadyDone} already done` : ''}${k.failedBefore > 0 ? `, ${k.failedBefore} failed before (--retry-failed to retry)` : ''}${skips ? `; skipped: ${skips}` : ''}.\n`);
        }
        if (hashes !== null && hashes.hashed > 0) process.stdout.write(`Hashes (for ooc vet): ${hashes.hashed} images hashed in ${hashes.seconds.toFixed(1)} s.\n`);
      }
      return 0;
    } finally {
      bar.done();
      stopHandling();
      await clip.release();
      db.close();
    }
  },
};

export const modelsCommand: Command = {
  name: 'models',
  summary: 'list the installed CLIP models and the execution provider each encoder runs on',
  usage: `ooc models [--ep auto|cpu|webgpu|cuda] [--json]

Models are read from the bundled models folder and the user's models folder. Each model's
encoders are opened once to report which provider runs them and why others were skipped.`,
  options: { ep: { type: 'string' }, json: { type: 'boolean' } },
  async run(values) {
    const ep = parseProviderChoice(optionalString(values, 'ep') ?? 'auto');
    const { models, broken } = await listModels();
    const rows = [];
    for (const model of models) {
      const { providers, error } = await probeProviders(model, ep);
      rows.push({ id: model.manifest.id, name: model.manifest.name, dir: model.dir, dim: model.manifest.embeddingSize, meaningfulScores: model.manifest.weights.meaningfulScores, providers, ...(error ? { error } : {}) });
    }
    if (values.json === true) {
      process.stdout.write(`${JSON.stringify({ models: rows, broken })}\n`);
      return 0;
    }
    for (const r of rows) {
      process.stdout.write(`${r.id}  ${r.name}  ${r.dim}-d${r.meaningfulScores ? '' : '  (random weights: scores are meaningless)'}\n  ${r.dir}\n`);
      process.stdout.write(`${(r.error ?? describeProviders(r.providers).join('\n')).replace(/^/gm, '  ')}\n`);
    }
    for (const b of broken) process.stdout.write(`unusable: ${b.dir}: ${b.reason}\n`);
    if (rows.length === 0) process.stdout.write('No models installed; see models/README.md.\n');
    return 0;
  },
};

export const installModelCommand: Command = {
  name: 'install-model',
  summary: 'download a real CLIP model (resumable, checked) and export its ONNX encoders',
  usage: `ooc install-model [<id>] [--mirror <base url>] [--python <exe>] [--json]

  <id>      ${CATALOG.map((e) => `${e.id}: ${e.name}`).join('; ')} (default: ${CATALOG[0]!.id})
  --mirror  fetch the files from <base url>/<file name> instead (a local copy or mirror)
  --python  a Python with PyTorch, onnx and regex for the export (default: $OOC_PYTHON or python3)

Downloads OpenAI's checkpoint (its sha256 is checked) and the Hugging Face tokenizer into the
user's models folder, then exports the image and text encoders there. An interrupted download
continues where it stopped when run again. Once installed, the model is the default for embed.`,
  options: { mirror: { type: 'string' }, python: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, positionals) {
    const controller = new AbortController();
    const stopHandling = handleInterrupts(controller, 'downloading');
    const bar = progressBar();
    try {
      const mirror = optionalString(values, 'mirror');
      const python = optionalString(values, 'python');
      const { model, downloads } = await installModel(positionals[0] ?? CATALOG[0]!.id, {
        ...(mirror ? { mirror } : {}),
        ...(python ? { python } : {}),
        signal: controller.signal,
        onStage: (stage) => process.stderr.write(`${stage} …\n`),
        onProgress: (file, done, total) => bar.draw(total ? done / total : 0, `${file} ${(done / 1e6).toFixed(1)}${total ? ` / ${(total / 1e6).toFixed(1)}` : ''} MB`),
      });
      bar.done();
      if (values.json === true) process.stdout.write(`${JSON.stringify({ id: model.manifest.id, dir: model.dir, downloads })}\n`);
      else {
        for (const d of downloads) process.stdout.write(`${d.file}: ${(d.bytes / 1e6).toFixed(1)} MB, sha256 ${d.sha256} (${d.verified}${d.resumedFrom > 0 ? `, resumed at ${(d.resumedFrom / 1e6).toFixed(1)} MB` : ''})\n`);
        process.stdout.write(`${downloads.length === 0 ? 'Already installed' : 'Installed'}: ${model.manifest.id} in ${model.dir}\n`);
      }
      return 0;
    } finally {
      bar.done();
      stopHandling();
    }
  },
};

export const importEmbeddingsCommand: Command = {
  name: 'import-embeddings',
  summary: "import NewsCLIPpings' precomputed embedding pickles (safely: arrays only)",
  usage: `ooc import-embeddings <news_clippings/embeddings folder, a type folder, or a .pkl file> [--db <file>] [--json]

Reads <type>/<split>.pkl and <type>/<type>_<split>.pkl files: dicts of {item id: numpy array}
(numpy 1.x or 2.x, None entries allowed). The pickles are parsed by an allow-list reader that
builds arrays and nothing else: a pickle asking for any other Python function is refused with
the reason, and nothing from that file is imported. Vectors go to sets named
newsclippings-<type> (CLIP's image and text folders both to newsclippings-clip); ids already
imported keep their vectors. Pairs are then scored under each set with caption vectors.`,
  options: { db: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, positionals) {
    const target = positionals[0];
    if (target === undefined || positionals.length > 1) throw new OocError('BAD_ARGUMENT', 'give one embeddings folder or .pkl file (see: ooc import-embeddings --help)');
    const db = openCommandDatabase(values);
    const bar = progressBar();
    try {
      const files = importEmbeddings(db, target, (p) =>
        bar.draw(p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 0, `file ${p.fileIndex + 1}/${p.files} ${path.basename(p.file)}  ${(p.bytesDone / 1e6).toFixed(0)} / ${(p.bytesTotal / 1e6).toFixed(0)} MB`),
      );
      bar.done();
      const scored = await scorePairs(db, [...new Set(files.filter((f) => !f.error).map((f) => f.set.split(':')[0]!))]);
      if (values.json === true) process.stdout.write(`${JSON.stringify({ files })}\n`);
      else {
        for (const line of scored) process.stdout.write(`${line}\n`);
        for (const f of files) {
          if (f.error) {
            process.stdout.write(`REFUSED ${f.error}\n`);
            continue;
          }
          const notes = [
            f.alreadyPresent > 0 ? `${f.alreadyPresent} already imported` : '',
            f.noneValues > 0 ? `${f.noneValues} None entries` : '',
            f.multiRow > 0 ? `${f.multiRow} with several rows (first kept)` : '',
            f.notInIndex > 0 ? `${f.notInIndex} ids not in the index` : '',
            ...Object.entries(f.skipped).map(([reason, n]) => `${n} skipped: ${reason}`),
          ].filter(Boolean);
          const mbps = f.seconds > 0 ? f.bytes / 1e6 / f.seconds : 0;
          process.stdout.write(`${f.file} → ${f.set}: ${f.imported} vectors in ${f.seconds.toFixed(1)} s (${mbps.toFixed(0)} MB/s)${notes.length > 0 ? `; ${notes.join(', ')}` : ''}\n`);
        }
      }
      return files.some((f) => f.error) ? 1 : 0;
    } finally {
      bar.done();
      db.close();
    }
  },
};

export const scoresCommand: Command = {
  name: 'scores',
  summary: 'score every pair by embeddings: caption vs pristine and falsified image, caption vs caption',
  usage: `ooc scores [--model <set name>] [--db <file>] [--json]

  --model  an embedding set's name: a model id, or newsclippings-clip (default: every set with
           caption vectors)

Scores are cosine similarities: the caption with its pristine image and with the falsified image
(where the set also has image vectors of the same size), and the caption with the falsified
image's own caption. embed and import-embeddings score by themselves; run this after an
interrupted run or a re-index. The browser filters and sorts by these scores.`,
  options: { model: { type: 'string' }, db: { type: 'string' }, json: { type: 'boolean' } },
  async run(values) {
    const db = openCommandDatabase(values);
    const controller = new AbortController();
    const stopHandling = handleInterrupts(controller, 'scoring');
    try {
      const model = optionalString(values, 'model');
      const names = scorableNames(db);
      if (model !== undefined && !names.includes(model)) {
        throw new OocError('NOT_FOUND', `no caption embeddings named "${model}"${names.length > 0 ? `; these can score pairs: ${names.join(', ')}` : '; embed captions (ooc embed) or import them first'}`);
      }
      if (names.length === 0) throw new OocError('NOT_FOUND', 'no caption embeddings yet: run ooc embed or ooc import-embeddings first');
      const lines = await scorePairs(db, model === undefined ? names : [model], controller.signal);
      process.stdout.write(values.json === true ? `${JSON.stringify({ runs: scoreRuns(db) })}\n` : `${lines.join('\n')}\n`);
      return 0;
    } finally {
      stopHandling();
      db.close();
    }
  },
};

export const neighboursCommand: Command = {
  name: 'neighbours',
  summary: "an item's nearest neighbours by embedding (image→image, caption→caption, caption→image …)",
  usage: `ooc neighbours --id <item id> [--from image|caption] [--to image|caption] [--model <id or set>]
               [-k <n>] [--exact] [--db <file>] [--json]

  --from, --to  which vector of the item to start from and which vectors to search (default:
                image → image)
  --model       the embedding set's name: a model id, or newsclippings-clip (-<type>) for imported ones
                (default: the default model)
  -k            how many (default 10, at most 1000)
  --exact       score every vector even where the set has an approximate index (ooc ann-index);
                without it a current index gives a shortlist that is then scored exactly`,
  options: { id: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, model: { type: 'string' }, k: { type: 'string', short: 'k' }, exact: { type: 'boolean' }, db: { type: 'string' }, json: { type: 'boolean' } },
  async run(values) {
    const id = Number(optionalString(values, 'id'));
    if (!Number.isSafeInteger(id)) throw new OocError('BAD_ARGUMENT', `--id must be an item id (an integer), got ${String(values.id)}`);
    const kindOf = (name: string) => {
      const v = optionalString(values, name) ?? 'image';
      if (v !== 'image' && v !== 'caption') throw new OocError('BAD_ARGUMENT', `--${name} must be image or caption, got "${v}"`);
      return v === 'image' ? ('image' as const) : ('text' as const);
    };
    const k = Number(optionalString(values, 'k') ?? '10');
    if (!Number.isInteger(k) || k < 1 || k > 1000) throw new OocError('BAD_ARGUMENT', `-k must be an integer from 1 to 1000`);
    const model = optionalString(values, 'model') ?? (await resolveModel(undefined)).manifest.id;
    const db = openCommandDatabase(values, { readonly: true });
    const search = new NeighbourSearch(db);
    try {
      const { neighbours, method } = await search.ofItem(model, id, kindOf('from'), kindOf('to'), k, {}, { exact: values.exact === true });
      const caption = captionOf(db);
      const rows = neighbours.map((n) => ({ ...n, caption: caption(n.itemId) }));
      if (values.json === true) process.stdout.write(`${JSON.stringify({ model, id, method, neighbours: rows })}\n`);
      else for (const r of rows) process.stdout.write(`${r.score.toFixed(4)}  ${String(r.itemId).padStart(8)}  ${r.caption ?? '(not in the index)'}\n`);
      return 0;
    } finally {
      await search.release();
      db.close();
    }
  },
};

export const annIndexCommand: Command = {
  name: 'ann-index',
  summary: 'build the approximate neighbour index of a set of embeddings (fast neighbours in the views)',
  usage: `ooc ann-index [--model <id or set>] [--kind image|caption|both] [--status] [--db <file>] [--json]

Builds an HNSW graph (usearch) over a set's unit vectors, kept beside the set's file. Neighbour
searches in the views and \`ooc neighbours\` then score exactly a shortlist the graph gives,
instead of every vector; a scoped search, a dot-product search and \`--exact\` still scan all.
The index goes stale when the set changes (searches are exact until it is built again).
Ctrl-C stops after the current chunk and saves the build; the same command continues it.

  --model   the embedding set's name (default: the default model)
  --kind    which of its sets (default both)
  --status  only say whether each set has a current index`,
  options: { model: { type: 'string' }, kind: { type: 'string' }, status: { type: 'boolean' }, db: { type: 'string' }, json: { type: 'boolean' } },
  async run(values) {
    const kindValue = optionalString(values, 'kind') ?? 'both';
    if (kindValue !== 'image' && kindValue !== 'caption' && kindValue !== 'both') throw new OocError('BAD_ARGUMENT', `--kind must be image, caption or both, got "${kindValue}"`);
    const kinds: EmbeddingKind[] = kindValue === 'both' ? ['image', 'text'] : [kindValue === 'image' ? 'image' : 'text'];
    const model = optionalString(values, 'model') ?? (await resolveModel(undefined)).manifest.id;
    const db = openCommandDatabase(values, { readonly: values.status === true });
    const sets = kinds.map((kind) => getSet(db, model, kind)).filter((set) => set !== undefined && set.rows > 0) as EmbeddingSet[];
    const controller = new AbortController();
    const stopHandling = handleInterrupts(controller, 'building the index');
    try {
      if (sets.length === 0) throw new OocError('NOT_FOUND', `no ${kindValue === 'both' ? '' : `${kindValue} `}embeddings from "${model}" in this database; run ooc embed (or import-embeddings) first`);
      const results = [];
      for (const set of sets) {
        const what = `${set.name} ${set.kind === 'image' ? 'images' : 'captions'}`;
        if (values.status === true) {
          const status = annStatus(set);
          results.push({ set: set.name, kind: set.kind, ...status });
          if (values.json !== true) process.stdout.write(`${what}: ${describeAnn(status)}\n`);
          continue;
        }
        const bar = progressBar();
        const summary = await buildAnnIndex(db, set, { signal: controller.signal, onProgress: (p) => bar.draw(p.done / p.total, `${what}: ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')} rows`) });
        bar.done();
        results.push(summary);
        if (values.json !== true) {
          const resumed = summary.resumedAt === null ? '' : ` (continued from row ${summary.resumedAt.toLocaleString('en-US')})`;
          process.stdout.write(summary.seconds === 0 && summary.added === 0 ? `${what}: already current\n` : `${what}: ${summary.added.toLocaleString('en-US')} vectors indexed in ${summary.seconds.toFixed(1)} s${resumed}${summary.skipped > 0 ? `; ${summary.skipped} with NaN or infinite values left out` : ''}\n`);
        }
      }
      if (values.json === true) process.stdout.write(`${JSON.stringify(results)}\n`);
      return 0;
    } catch (err) {
      if (!controller.signal.aborted) throw err;
      process.stderr.write('\nStopped; the build was saved and the same command continues it.\n');
      return 130;
    } finally {
      stopHandling();
      db.close();
    }
  },
};
