import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { OocError } from '../../common/errors.ts';
import { bundledModelsDir, userModelsDir } from '../app-paths.ts';
import { downloadFile, type DownloadResult } from './download.ts';
import { readModel, type InstalledModel } from './manifest.ts';

const run = promisify(execFile);

export interface CatalogFile {
  /** The file's name in the download folder (and on a mirror). */
  name: string;
  url: string;
  sha256?: string;
}

export interface CatalogEntry {
  id: string;
  name: string;
  licence: string;
  weights: CatalogFile;
  tokenizer: CatalogFile;
}

/** Models the app knows how to fetch and export. OpenAI's checkpoint URL carries its own sha256. */
export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'clip-vit-b-32',
    name: 'CLIP ViT-B/32 (OpenAI)',
    licence: 'MIT (OpenAI CLIP)',
    weights: {
      name: 'ViT-B-32.pt',
      url: 'https://openaipublic.azureedge.net/clip/models/40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af/ViT-B-32.pt',
      sha256: '40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af',
    },
    tokenizer: { name: 'tokenizer.json', url: 'https://huggingface.co/openai/clip-vit-base-patch32/resolve/main/tokenizer.json' },
  },
];

export interface InstallOptions {
  /** A base URL to fetch the files from instead (a local mirror): `<mirror>/<file name>`. */
  mirror?: string;
  /** The Python that has PyTorch and onnx (default: OOC_PYTHON, else python3). */
  python?: string;
  signal?: AbortSignal;
  onProgress?: (file: string, done: number, total: number | null) => void;
  onStage?: (stage: string) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * Installs a catalog model into the user's models folder: downloads the checkpoint and the
 * tokenizer (resumable, checked), then runs the exporter to write the ONNX encoders. The model
 * appears under its id only once the export is complete; a failed one leaves nothing behind.
 */
export async function installModel(which: string | CatalogEntry, options: InstallOptions = {}): Promise<{ model: InstalledModel; downloads: DownloadResult[] }> {
  const entry = typeof which === 'string' ? CATALOG.find((e) => e.id === which) : which;
  if (entry === undefined) throw new OocError('NOT_FOUND', `no model "${String(which)}" in the catalog (known: ${CATALOG.map((e) => e.id).join(', ')})`);
  const env = options.env ?? process.env;
  const root = userModelsDir(env);
  const target = path.join(root, entry.id);
  if (existsSync(path.join(target, 'manifest.json'))) return { model: await readModel(target), downloads: [] };

  const python = options.python ?? env.OOC_PYTHON ?? 'python3';
  options.onStage?.(`checking that ${python} has PyTorch and onnx`);
  try {
    await run(python, ['-c', 'import torch, onnx, regex'], { env });
  } catch {
    throw new OocError(
      'MODEL_UNAVAILABLE',
      `exporting ${entry.name} needs Python with PyTorch, onnx and regex, and "${python}" has not got them: install them (Debian/Ubuntu: apt-get install python3-torch python3-onnx python3-regex; elsewhere: pip install torch onnx regex) or name another Python with --python`,
    );
  }

  const downloads: DownloadResult[] = [];
  const folder = path.join(root, '.downloads', entry.id);
  for (const file of [entry.weights, entry.tokenizer]) {
    options.onStage?.(`downloading ${file.name}`);
    const url = options.mirror ? `${options.mirror.replace(/\/+$/, '')}/${file.name}` : file.url;
    downloads.push(
      await downloadFile(url, path.join(folder, file.name), {
        ...(file.sha256 ? { sha256: file.sha256 } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (done, total) => options.onProgress?.(file.name, done, total),
      }),
    );
  }

  options.onStage?.('exporting the ONNX encoders');
  const partial = `${target}.partial`;
  await rm(partial, { recursive: true, force: true });
  try {
    await run(
      python,
      [path.join(bundledModelsDir(env), 'exporter', 'export.py'), '--weights', downloads[0]!.file, '--tokenizer', downloads[1]!.file, '--out', partial, '--id', entry.id],
      { env, maxBuffer: 16 << 20 },
    );
    const model = await readModel(partial);
    await rename(partial, target);
    return { model: { ...model, dir: target }, downloads };
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    const detail = (err as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' ') ?? (err as Error).message;
    throw err instanceof OocError ? err : new OocError('MODEL_UNAVAILABLE', `exporting ${entry.name} failed: ${detail}`);
  }
}
