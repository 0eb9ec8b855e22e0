import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { OocError } from '../../common/errors.ts';

export interface TensorSpec {
  name: string;
  type: 'float32' | 'int64';
  shape: Array<number | string>;
}

export interface ModelFile {
  file: string;
  sha256: string;
  input: TensorSpec;
  output: TensorSpec;
}

/** The Chefer et al. relevance graph: one image and one caption in, the score and both relevance maps out. */
export interface RelevanceFile {
  file: string;
  sha256: string;
  method: 'chefer-2021';
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Patches per side of the image relevance. */
  patchGrid: number;
}

/** models/<id>/manifest.json, as written by models/exporter/export.py. */
export interface ModelManifest {
  format: 1;
  id: string;
  name: string;
  family: 'clip';
  weights: { kind: 'random' | 'pretrained'; meaningfulScores: boolean; seed?: number; source?: string };
  embeddingSize: number;
  logitScale: number;
  licence: string;
  image: ModelFile;
  text: ModelFile;
  /** Absent in models exported without it (then only the perturbation methods explain). */
  relevance?: RelevanceFile;
  preprocess: {
    size: number;
    resize: 'shortest-side';
    interpolation: 'bicubic';
    crop: 'center';
    mean: [number, number, number];
    std: [number, number, number];
  };
  tokenizer: { file: string; sha256: string; contextLength: number; startToken: number; endToken: number; padToken: number };
}

/** A manifest with the folder it was read from. */
export interface InstalledModel {
  dir: string;
  manifest: ModelManifest;
}

/** Reads and checks a model folder's manifest; every file it names must be present. */
export async function readModel(dir: string): Promise<InstalledModel> {
  const file = path.join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message;
    throw new OocError('BAD_INPUT_FILE', `model manifest ${file}: ${reason}`);
  }
  const manifest = checkManifest(raw, file);
  for (const name of [manifest.image.file, manifest.text.file, manifest.tokenizer.file, ...(manifest.relevance ? [manifest.relevance.file] : [])]) {
    const target = path.resolve(dir, name);
    if (path.dirname(target) !== path.resolve(dir)) {
      throw new OocError('BAD_INPUT_FILE', `${file}: file "${name}" must sit in the model folder`);
    }
    try {
      await stat(target);
    } catch {
      throw new OocError('BAD_INPUT_FILE', `model ${manifest.id}: ${name} is missing from ${dir}`);
    }
  }
  return { dir, manifest };
}

function checkManifest(raw: unknown, file: string): ModelManifest {
  const fail = (what: string): never => {
    throw new OocError('BAD_INPUT_FILE', `${file}: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null) return fail('expected a JSON object');
  const m = raw as Record<string, unknown>;
  if (m.format !== 1) fail(`unsupported manifest format ${JSON.stringify(m.format)} (this app reads format 1)`);
  if (m.family !== 'clip') fail(`unsupported model family ${JSON.stringify(m.family)}`);
  if (typeof m.id !== 'string' || !/^[\w.-]{1,100}$/.test(m.id)) fail('"id" must be letters, digits, "-", "_" or "."');
  // Every number is bounded: one absurd value (an embeddingSize of 10^12) must be refused here,
  // not discovered as an allocation or a loop that never ends.
  const integerIn = (value: unknown, name: string, min: number, max: number): void => {
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) fail(`"${name}" must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  };
  const sha = (value: unknown, name: string): void => {
    if (typeof value !== 'string' || !/^[0-9a-fA-F]{64}$/.test(value)) fail(`"${name}" must be the file's sha256 (64 hex digits)`);
  };
  integerIn(m.embeddingSize, 'embeddingSize', 1, 16384);
  for (const tower of ['image', 'text'] as const) {
    const t = m[tower] as Partial<ModelFile> | undefined;
    if (typeof t?.file !== 'string' || typeof t.input?.name !== 'string' || typeof t.output?.name !== 'string') {
      fail(`"${tower}" needs file, input.name and output.name`);
    }
    sha(t!.sha256, `${tower}.sha256`);
  }
  if (typeof m.logitScale !== 'number' || !Number.isFinite(m.logitScale) || m.logitScale <= 0 || m.logitScale > 1000) fail('"logitScale" must be a number from 0 to 1000');
  if (typeof m.weights !== 'object' || m.weights === null || typeof (m.weights as { meaningfulScores?: unknown }).meaningfulScores !== 'boolean') fail('"weights" needs meaningfulScores (true or false)');
  const r = m.relevance as Partial<RelevanceFile> | undefined;
  if (r !== undefined) {
    if (typeof r.file !== 'string' || !Array.isArray(r.inputs) || r.inputs.length !== 2 || !Array.isArray(r.outputs) || r.outputs.length !== 3) {
      fail('"relevance" needs file, patchGrid, two inputs and three outputs');
    }
    integerIn(r.patchGrid, 'relevance.patchGrid', 1, 256);
    sha(r.sha256, 'relevance.sha256');
  }
  const p = m.preprocess as Partial<ModelManifest['preprocess']> | undefined;
  integerIn(p?.size, 'preprocess.size', 8, 2048);
  const triple = (v: unknown, positive: boolean) => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0));
  if (!triple(p?.mean, false) || !triple(p?.std, true)) fail('"preprocess" needs mean[3] and std[3] (finite numbers, std above 0)');
  const t = m.tokenizer as Partial<ModelManifest['tokenizer']> | undefined;
  if (typeof t?.file !== 'string') fail('"tokenizer" needs file, contextLength, startToken and endToken');
  integerIn(t?.contextLength, 'tokenizer.contextLength', 2, 1024);
  integerIn(t?.startToken, 'tokenizer.startToken', 0, 10_000_000);
  integerIn(t?.endToken, 'tokenizer.endToken', 0, 10_000_000);
  if (t?.padToken !== undefined) integerIn(t.padToken, 'tokenizer.padToken', 0, 10_000_000);
  sha(t?.sha256, 'tokenizer.sha256');
  return raw as ModelManifest;
}
