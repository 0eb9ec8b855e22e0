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
  if (!Number.isInteger(m.embeddingSize) || (m.embeddingSize as number) <= 0) fail('"embeddingSize" must be a positive integer');
  for (const tower of ['image', 'text'] as const) {
    const t = m[tower] as Partial<ModelFile> | undefined;
    if (typeof t?.file !== 'string' || typeof t.input?.name !== 'string' || typeof t.output?.name !== 'string') {
      fail(`"${tower}" needs file, input.name and output.name`);
    }
  }
  const r = m.relevance as Partial<RelevanceFile> | undefined;
  if (r !== undefined && (typeof r.file !== 'string' || !Number.isInteger(r.patchGrid) || !Array.isArray(r.inputs) || !Array.isArray(r.outputs))) {
    fail('"relevance" needs file, patchGrid, inputs and outputs');
  }
  const p = m.preprocess as Partial<ModelManifest['preprocess']> | undefined;
  if (!Number.isInteger(p?.size) || p?.mean?.length !== 3 || p.std?.length !== 3) fail('"preprocess" needs size, mean[3] and std[3]');
  const t = m.tokenizer as Partial<ModelManifest['tokenizer']> | undefined;
  if (typeof t?.file !== 'string' || !Number.isInteger(t.contextLength) || !Number.isInteger(t.startToken) || !Number.isInteger(t.endToken)) {
    fail('"tokenizer" needs file, contextLength, startToken and endToken');
  }
  return raw as ModelManifest;
}
