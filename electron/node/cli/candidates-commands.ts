import { CUSTOM_PREFIX, STRATEGIES, STRATEGY_INFO, type CandidateList, type GenerateSummary, type Strategy } from '../../common/candidates.ts';
import { OocError } from '../../common/errors.ts';
import { candidatesFor, MAX_CANDIDATES } from '../candidates/candidates.ts';
import { generateSplit, mergeSplits } from '../candidates/generate.ts';
import { computeAllEntities } from '../candidates/entities.ts';
import { handleInterrupts } from './interrupt.ts';
import { progressBar } from './progress.ts';
import { NeighbourSearch } from '../inference/neighbours.ts';
import type { Command } from './args.ts';
import { openCommandDatabase } from './database.ts';
import { optionalString } from './args.ts';
import { writeFigures } from './output.ts';

function formatCandidates(list: CandidateList): string {
  const info = STRATEGY_INFO[list.strategy];
  const out = [
    `${info.name} for caption ${list.captionId}: ${info.ranking}`,
    `  CTI_p ${list.ctiP === null ? 'unknown' : list.ctiP.toFixed(4)} (caption against its own image${list.inputs.clip ? `, ${list.inputs.clip}` : ''}); entities (${list.entities.from === 'ner' ? 'offline NER, an approximation of spaCy + REL' : 'NewsCLIPpings metadata'}): ${list.entities.entities.map((e) => `${e.text} (${e.kind})`).join(', ') || 'none'}`,
  ];
  if (list.missing !== null) return [...out, `  Cannot rank: ${list.missing}`].join('\n');
  const picked = list.candidates.find((c) => c.picked);
  out.push(picked ? `  Algorithm 1 picks image ${picked.imageId} (${list.pick === 'at-or-above' ? 'CTI_f at or above CTI_p' : 'no passing candidate reaches CTI_p: the best below'})` : '  Algorithm 1 picks none: no candidate passes every constraint');
  for (const m of list.datasetMatches) out.push(`  ${m.split}/${m.subset} chose image ${m.imageId}: ${m.rank === null ? `not among these ${list.candidates.length}` : `rank ${m.rank}`}`);
  out.push('', '  rank    image    score    CTI_f  constraints');
  list.candidates.forEach((c, i) => {
    const verdicts = Object.entries(c.constraints).map(([name, v]) => `${v.pass === true ? '✓' : v.pass === false ? '✗' : '?'} ${name} (${v.reason})`);
    out.push(`  ${String(i + 1).padStart(4)} ${String(c.imageId).padStart(8)} ${c.score.toFixed(4).padStart(8)} ${c.ctiF === null ? '      —' : c.ctiF.toFixed(4).padStart(8)}  ${c.picked ? '[picked] ' : ''}${verdicts.join('; ')}`);
    if (c.caption) out.push(`${' '.repeat(25)}${c.caption.length > 100 ? `${c.caption.slice(0, 99)}…` : c.caption}`);
  });
  return out.join('\n');
}

export const candidatesCommand: Command = {
  name: 'candidates',
  summary: 'out-of-context candidates for one caption, ranked by a NewsCLIPpings strategy, with its constraints and Algorithm 1\'s pick',
  usage: `ooc candidates --caption-id <id> --strategy ${STRATEGIES.join('|')}
               [-k <n>] [--model <id or set>] [--json <file>|-] [--db <file>]

  --strategy    how the other images are ranked, as the paper's four splits were built:
${STRATEGIES.map((s) => `                ${s}: ${STRATEGY_INFO[s].name}, ${STRATEGY_INFO[s].ranking}`).join('\n')}
  -k            candidates to rank (default 50, at most ${MAX_CANDIDATES})
  --model       the CLIP embeddings for CTI and the CLIP strategies: a model id, or
                newsclippings-clip for NewsCLIPpings' own (the default where imported)
  --json        write the result as JSON to a file (- for standard output)

Constraints: a different item, at least 30 days apart (from NewsCLIPpings' metadata; "unknown"
where no date is known), no named entity in common (Person: at least one PERSON in common, and
Places365 similarity below 0.9; Scene: no PERSON in either caption). Entities come from the
metadata when indexed, else from an offline English NER (an approximation of spaCy + REL).
Algorithm 1 picks the best-ranked candidate no constraint fails whose CLIP text-image
similarity (CTI_f) reaches the caption's with its own image (CTI_p), else the best below.`,
  options: { 'caption-id': { type: 'string' }, strategy: { type: 'string' }, k: { type: 'string', short: 'k' }, model: { type: 'string' }, json: { type: 'string' }, db: { type: 'string' } },
  async run(values) {
    const captionId = Number(optionalString(values, 'caption-id'));
    if (!Number.isSafeInteger(captionId)) throw new OocError('BAD_ARGUMENT', `--caption-id must be an item id (an integer), got ${String(values['caption-id'])}`);
    const strategy = optionalString(values, 'strategy');
    if (strategy === undefined || !(STRATEGIES as readonly string[]).includes(strategy)) throw new OocError('BAD_ARGUMENT', `--strategy must be one of ${STRATEGIES.join(', ')}${strategy === undefined ? '' : `, got "${strategy}"`}`);
    const k = Number(optionalString(values, 'k') ?? '50');
    if (!Number.isInteger(k) || k < 1 || k > MAX_CANDIDATES) throw new OocError('BAD_ARGUMENT', `-k must be an integer from 1 to ${MAX_CANDIDATES}`);
    const model = optionalString(values, 'model');
    const db = openCommandDatabase(values);
    const search = new NeighbourSearch(db);
    try {
      const list = await candidatesFor(db, search, { captionId, strategy: strategy as Strategy, k, ...(model === undefined ? {} : { model }) });
      writeFigures(values, list, formatCandidates(list));
      return 0;
    } finally {
      await search.release();
      db.close();
    }
  },
};

function formatGenerated(g: GenerateSummary): string {
  const unpicked = Object.entries(g.unpicked).map(([reason, n]) => `${n.toLocaleString('en-US')} ${reason.replace(/_/g, ' ')}`);
  return [
    `${g.split.folder}/${g.subset}: ${g.kept.toLocaleString('en-US')} pairs (${STRATEGY_INFO[g.strategy].name}, CLIP embeddings ${g.clip}) from ${g.captions.toLocaleString('en-US')} captions`,
    `  Algorithm 1 picked ${g.picked.atOrAbove.toLocaleString('en-US')} at or above CTI_p and ${g.picked.below.toLocaleString('en-US')} below; the 50/50 filtering dropped ${g.dropped.toLocaleString('en-US')}`,
    ...(unpicked.length > 0 ? [`  No pick: ${unpicked.join(', ')}`] : []),
    `  ${g.ranked.toLocaleString('en-US')} captions ranked in ${g.seconds.toFixed(1)} s (${g.captionsPerSecond.toFixed(0)} a second)`,
    `  Browse it in Pairs (split ${g.split.folder}); export it with ooc export --split ${g.split.folder} --subset ${g.subset} --out <folder>`,
  ].join('\n');
}

export const generateSplitCommand: Command = {
  name: 'generate-split',
  summary: "a new split file by the paper's Algorithm 1: a strategy's candidates, the constraints, CLIP adversarial filtering to 50/50",
  usage: `ooc generate-split --name <name> --strategy ${STRATEGIES.join('|')}
                    [--from <split>/<subset> | --collection <name>] [--subset <s>] [--model <id or set>]
                    [-k <n>] [--seed <n>] [--no-balance] [--json <file>|-] [--db <file>]

  --name        the custom split's name (letters, digits, - and _): browsed and exported as custom_<name>
  --from        the captions of a split file's pairs (default: every item with a caption and an image)
  --collection  the captions of a collection's pairs
  --subset      the new file's subset (default: --from's, else test)
  --model       the CLIP embeddings that score every pick (default: NewsCLIPpings' own where imported)
  -k            candidates considered per caption (default 100)
  --seed        orders samples whose CTI gaps tie when the 50/50 filtering cuts (default 0)
  --no-balance  keep every pick (no 50/50 filtering)

Each caption's candidates come from one batched search per block of captions; the best-ranked
candidate passing the constraints whose CLIP similarity to the caption (CTI_f) reaches the
caption's with its own image (CTI_p) is picked, else the best below. Then the samples with the
largest CTI_p - CTI_f are dropped from the larger case until half come from each. Interrupted
(Ctrl-C), the same command continues from the last block; the same settings give the same split.`,
  options: { name: { type: 'string' }, strategy: { type: 'string' }, from: { type: 'string' }, collection: { type: 'string' }, subset: { type: 'string' }, model: { type: 'string' }, k: { type: 'string', short: 'k' }, seed: { type: 'string' }, 'no-balance': { type: 'boolean' }, json: { type: 'string' }, db: { type: 'string' } },
  async run(values) {
    const name = optionalString(values, 'name');
    if (name === undefined) throw new OocError('BAD_ARGUMENT', 'name the new split: --name <name>');
    const strategy = optionalString(values, 'strategy');
    if (strategy === undefined || !(STRATEGIES as readonly string[]).includes(strategy)) throw new OocError('BAD_ARGUMENT', `--strategy must be one of ${STRATEGIES.join(', ')}${strategy === undefined ? '' : `, got "${strategy}"`}`);
    const integer = (key: string, fallback: number, min: number, max: number): number => {
      const n = Number(optionalString(values, key) ?? fallback);
      if (!Number.isInteger(n) || n < min || n > max) throw new OocError('BAD_ARGUMENT', `--${key} must be an integer from ${min} to ${max}`);
      return n;
    };
    const k = integer('k', 100, 1, MAX_CANDIDATES);
    const seed = integer('seed', 0, 0, 2 ** 31 - 1);
    const optional = (key: string): Record<string, string> => {
      const v = optionalString(values, key);
      return v === undefined ? {} : { [key]: v };
    };
    const db = openCommandDatabase(values);
    const search = new NeighbourSearch(db);
    const controller = new AbortController();
    const stopHandling = handleInterrupts(controller, 'generating the split');
    const bar = progressBar();
    try {
      const summary = await generateSplit(db, search, {
        name,
        strategy: strategy as Strategy,
        k,
        seed,
        balance: values['no-balance'] !== true,
        ...optional('from'),
        ...optional('collection'),
        ...optional('subset'),
        ...optional('model'),
        signal: controller.signal,
        onProgress: (p) => bar.draw(p.total === 0 ? 0 : p.done / p.total, `${p.phase} ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')} captions`),
      });
      bar.done();
      writeFigures(values, summary, formatGenerated(summary));
      return 0;
    } catch (err) {
      if (!controller.signal.aborted) throw err;
      bar.done();
      process.stderr.write('Stopped after the last block of captions; the same command continues from there.\n');
      return 130;
    } finally {
      stopHandling();
      await search.release();
      db.close();
    }
  },
};

export const entitiesCommand: Command = {
  name: 'entities',
  summary: "every caption's named entities, computed ahead for the candidates' constraints",
  usage: `ooc entities [--db <file>] [--json]

Entities come from NewsCLIPpings' metadata where it is indexed (spaCy and REL fields, read
tolerantly), else from compromise, an offline English NER (about 1 ms a caption; an approximation
of spaCy + REL). Computed entities are kept (a new index drops them); Ctrl-C stops after the
current batch and the same command continues.`,
  options: { db: { type: 'string' }, json: { type: 'boolean' } },
  async run(values) {
    const db = openCommandDatabase(values);
    const controller = new AbortController();
    const stopHandling = handleInterrupts(controller, 'computing entities');
    const bar = progressBar();
    try {
      const summary = await computeAllEntities(db, { signal: controller.signal, onProgress: (p) => bar.draw(p.total === 0 ? 1 : p.done / p.total, `${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')} captions`) });
      bar.done();
      if (values.json === true) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else process.stdout.write(`Entities of ${summary.computed.toLocaleString('en-US')} captions computed (${summary.fromMetadata.toLocaleString('en-US')} from metadata, the rest by the offline NER) in ${summary.seconds.toFixed(1)} s; ${summary.captions.toLocaleString('en-US')} captions in all.\n`);
      return 0;
    } catch (err) {
      if (!controller.signal.aborted) throw err;
      bar.done();
      process.stderr.write('Stopped; the same command continues from there.\n');
      return 130;
    } finally {
      stopHandling();
      db.close();
    }
  },
};

export const mergeSplitsCommand: Command = {
  name: 'merge-splits',
  summary: 'custom splits merged as Merged / Balanced was: equal parts, captions and images disjoint',
  usage: `ooc merge-splits --name <name> --from <custom split>,<custom split>[,…] [--subset test] [--seed <n>] [--db <file>]

Each source's pairs (of the subset) are shuffled by the seed; one pair is taken from each source
in turn while its caption and images are unused by the pairs taken, until a source runs out.
The result is a new custom split whose source_datasets name the strategies.`,
  options: { name: { type: 'string' }, from: { type: 'string' }, subset: { type: 'string' }, seed: { type: 'string' }, db: { type: 'string' }, json: { type: 'boolean' } },
  run(values) {
    const name = optionalString(values, 'name');
    const from = optionalString(values, 'from');
    if (name === undefined || from === undefined) throw new OocError('BAD_ARGUMENT', 'usage: ooc merge-splits --name <name> --from <split>,<split>[,…]');
    const seed = Number(optionalString(values, 'seed') ?? '0');
    if (!Number.isSafeInteger(seed) || seed < 0) throw new OocError('BAD_ARGUMENT', '--seed must be a whole number from 0');
    const subset = optionalString(values, 'subset') ?? 'test';
    const db = openCommandDatabase(values);
    try {
      const sources = from.split(',').map((s) => s.trim().replace(new RegExp(`^${CUSTOM_PREFIX}`), ''));
      const merged = mergeSplits(db, name, sources, subset, seed);
      if (values.json === true) process.stdout.write(`${JSON.stringify(merged)}\n`);
      else process.stdout.write(`${merged.split.folder}/${subset}: ${merged.perSource.toLocaleString('en-US')} pairs from each of ${sources.length} splits (${merged.skipped.toLocaleString('en-US')} passed over: their caption or an image was taken)\n`);
      return Promise.resolve(0);
    } finally {
      db.close();
    }
  },
};
