import { HEAD_INPUTS, HEAD_KINDS, trainingProgress, type HeadInfo, type HeadInputs, type HeadKind } from '../../common/heads.ts';
import { splitDisplayName } from '../../common/datasets.ts';
import { OocError } from '../../common/errors.ts';
import { deleteHead, listHeads } from '../heads/store.ts';
import { trainHeadJob } from '../heads/train-job.ts';
import { optionalString, requireString, type Command } from './args.ts';
import { openCommandDatabase } from './database.ts';
import { defaultDatabasePath } from '../app-paths.ts';
import { handleInterrupts } from './interrupt.ts';
import { progressBar } from './progress.ts';

function choice<T extends string>(values: Record<string, string | boolean | undefined>, name: string, allowed: readonly T[], fallback: T): T {
  const raw = optionalString(values, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new OocError('BAD_ARGUMENT', `--${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function integer(values: Record<string, string | boolean | undefined>, name: string, min: number): number | undefined {
  const raw = optionalString(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new OocError('BAD_ARGUMENT', `--${name} must be an integer of at least ${min}, got "${raw}"`);
  return n;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

export function describeHead(h: HeadInfo): string {
  const rows = (['train', 'val', 'test'] as const).map((s) => `${s} ${h.rows[s].rows.toLocaleString('en-US')}${h.rows[s].withoutVectors > 0 ? ` (+${h.rows[s].withoutVectors.toLocaleString('en-US')} without vectors)` : ''}`).join(', ');
  const what = `${h.kind}${h.kind === 'mlp' ? ` (${h.hidden} hidden)` : ''} on ${h.inputs === 'both' ? 'image and caption' : `${h.inputs} only`}`;
  return [
    `${h.name}: ${what}, set ${h.set}, ${splitDisplayName(h.split)}, seed ${h.seed}`,
    `  rows: ${rows}`,
    `  val accuracy ${pct(h.valAccuracy)} at p(falsified) ≥ ${h.threshold.toFixed(4)}${h.curve.length > 0 ? `; ${h.curve.length} epochs, weights of epoch ${h.bestEpoch} kept` : ''}; ${h.seconds.toFixed(1)} s`,
    `  model: ${h.model}`,
  ].join('\n');
}

export const trainHeadCommand: Command = {
  name: 'train-head',
  summary: "train a baseline on a split's embeddings (cosine, logistic regression, MLP; unimodal checks) and run it on val and test",
  usage: `ooc train-head --set <set> --split <s> --name <head> [--kind ${HEAD_KINDS.join('|')}] [--inputs ${HEAD_INPUTS.join('|')}]
                [--seed <n>] [--hidden <units>] [--epochs <n>] [--replace] [--db <file>] [--json]

  --set      the embedding set: a model id, or an imported set (newsclippings-clip); it needs
             image and caption vectors
  --split    the NewsCLIPpings split folder: the head trains on its train file and stops early
             on val (weights of the epoch with the lowest val loss)
  --kind     cosine: zero-shot, the image–caption cosine (no training); logreg (default):
             logistic regression; mlp: one ReLU layer, then logistic
  --inputs   both (default): [image, caption, image⊙caption, |image−caption|]; image or text:
             one embedding only, the paper's check for unimodal bias
  --seed     shuffling and initial weights (default 0): the same seed trains the same head
  --hidden   the MLP's hidden units (default 256)
  --epochs   at most this many passes over train (default 20; MLP 30)
  --replace  replace a head and run of the same name
  --db       database file (default: ${defaultDatabasePath()})

The head is saved beside the database (<db>.heads/<name>/head.onnx, an ONNX model any ONNX tool
runs: image_embeds and/or text_embeds in, falsified_probability out; head.json says how it was
trained). It then scores the split's val and test rows: those become a prediction run of the
same name, labelled at the threshold that does best on val (see: ooc evaluate --run <name>).

  ooc train-head list | delete --name <head>      the heads there are; delete one`,
  options: {
    db: { type: 'string' },
    json: { type: 'boolean' },
    set: { type: 'string' },
    split: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string' },
    inputs: { type: 'string' },
    seed: { type: 'string' },
    hidden: { type: 'string' },
    epochs: { type: 'string' },
    replace: { type: 'boolean' },
  },
  async run(values, positionals) {
    const [action, ...extra] = positionals;
    if (extra.length > 0 || (action !== undefined && action !== 'list' && action !== 'delete')) throw new OocError('BAD_ARGUMENT', `unexpected arguments: ${positionals.join(' ')} (see: ooc train-head --help)`);
    const db = openCommandDatabase(values);
    try {
      if (action === 'list') {
        const heads = listHeads(db);
        if (values.json === true) process.stdout.write(`${JSON.stringify(heads, null, 2)}\n`);
        else process.stdout.write(heads.length === 0 ? 'No heads yet: train one with `ooc train-head --set <set> --split <s> --name <head>`.\n' : `${heads.map(describeHead).join('\n')}\n`);
        return 0;
      }
      if (action === 'delete') {
        const name = requireString(values, 'name', 'train-head');
        deleteHead(db, name);
        process.stdout.write(`Deleted head "${name}" (its prediction run stays: ooc predictions delete --name ${name}).\n`);
        return 0;
      }
      const kind = choice<HeadKind>(values, 'kind', HEAD_KINDS, 'logreg');
      const inputs = choice<HeadInputs>(values, 'inputs', HEAD_INPUTS, 'both');
      const seed = integer(values, 'seed', 0);
      const hidden = integer(values, 'hidden', 1);
      const maxEpochs = integer(values, 'epochs', 1);
      const controller = new AbortController();
      const release = handleInterrupts(controller, 'training (nothing is saved until it ends)');
      const bar = progressBar();
      try {
        const head = await trainHeadJob(
          db,
          {
            set: requireString(values, 'set', 'train-head'),
            split: requireString(values, 'split', 'train-head'),
            name: requireString(values, 'name', 'train-head'),
            kind,
            inputs,
            ...(seed === undefined ? {} : { seed }),
            ...(hidden === undefined ? {} : { hidden }),
            ...(maxEpochs === undefined ? {} : { maxEpochs }),
            replace: values.replace === true,
          },
          {
            signal: controller.signal,
            onProgress: (p) => {
              const { fraction, note } = trainingProgress(p);
              bar.draw(fraction, note);
            },
          },
        );
        bar.done();
        process.stdout.write(values.json === true ? `${JSON.stringify(head, null, 2)}\n` : `Trained ${describeHead(head)}\nEvaluate it: ooc evaluate --run ${head.name}\n`);
        return 0;
      } finally {
        bar.done();
        release();
      }
    } finally {
      db.close();
    }
  },
};
