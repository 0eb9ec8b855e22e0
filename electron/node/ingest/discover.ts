import type { InputFile } from '../store/sources.ts';
import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isSplitFolder, isSubset, SPLITS, SUBSETS } from '../../common/datasets.ts';
import { OocError } from '../../common/errors.ts';

/** One input file of an index build, with what identifies its content. */

export interface DiscoveredInputs {
  visualnewsRoot: string;
  clippingsRoot: string | null;
  files: InputFile[];
  /** Things found and ignored, such as unknown folders: reason → paths. */
  notes: { reason: string; file: string; detail: string }[];
}

/**
 * Finds the input files: `data.json` from a VisualNews `origin/` folder (or the file itself), and
 * every `data/<split>/<subset>.json` and `metadata/<subset>.json` in a NewsCLIPpings folder.
 */
export async function discoverInputs(visualnews: string, clippings: string | undefined): Promise<DiscoveredInputs> {
  const dataJson = await locateDataJson(path.resolve(visualnews));
  const notes: DiscoveredInputs['notes'] = [];
  const files: InputFile[] = [await describeInput(dataJson, 'visualnews', null, null)];
  let clippingsRoot: string | null = null;
  if (clippings !== undefined) {
    const located = await locateClippings(path.resolve(clippings));
    clippingsRoot = located.root;
    files.push(...(await findAnnotationFiles(located.dataDir, notes)));
    files.push(...(await findMetadataFiles(path.join(located.root, 'metadata'), notes)));
  }
  return { visualnewsRoot: path.dirname(dataJson), clippingsRoot, files, notes };
}

async function kindOf(p: string): Promise<'file' | 'dir' | null> {
  try {
    const s = await stat(p);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : null;
  } catch {
    return null;
  }
}

async function locateDataJson(given: string): Promise<string> {
  const kind = await kindOf(given);
  if (kind === 'file') return given;
  if (kind === 'dir') {
    for (const candidate of [path.join(given, 'data.json'), path.join(given, 'origin', 'data.json')]) {
      if ((await kindOf(candidate)) === 'file') return candidate;
    }
    throw new OocError('BAD_INPUT_FILE', `no data.json in ${given}: point --visualnews at the VisualNews origin/ folder or at its data.json`);
  }
  throw new OocError('BAD_INPUT_FILE', `${given} does not exist`);
}

async function locateClippings(given: string): Promise<{ root: string; dataDir: string }> {
  const kind = await kindOf(given);
  if (kind !== 'dir') throw new OocError('BAD_INPUT_FILE', `${given} is not a folder: point --clippings at the news_clippings/ folder`);
  if ((await kindOf(path.join(given, 'data'))) === 'dir') return { root: given, dataDir: path.join(given, 'data') };
  const entries = await readdir(given);
  if (entries.some(isSplitFolder)) return { root: path.dirname(given), dataDir: given };
  throw new OocError(
    'BAD_INPUT_FILE',
    `no NewsCLIPpings data in ${given}: expected a data/ folder holding ${SPLITS.map((s) => s.folder).join(', ')}`,
  );
}

async function findAnnotationFiles(dataDir: string, notes: DiscoveredInputs['notes']): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const entry of (await readdir(dataDir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dataDir, entry.name);
    if (!entry.isDirectory() || !isSplitFolder(entry.name)) {
      notes.push({ reason: entry.isDirectory() ? 'unknown_folder' : 'unknown_file', file: full, detail: 'not a NewsCLIPpings split: ignored' });
      continue;
    }
    for (const name of (await readdir(full)).sort()) {
      const subset = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
      const file = path.join(full, name);
      if (isSubset(subset) && (await kindOf(file)) === 'file') {
        files.push(await describeInput(file, 'annotations', entry.name, subset));
      } else {
        notes.push({ reason: 'unknown_file', file, detail: `expected ${SUBSETS.map((s) => `${s}.json`).join(', ')}: ignored` });
      }
    }
  }
  return files;
}

async function findMetadataFiles(dir: string, notes: DiscoveredInputs['notes']): Promise<InputFile[]> {
  if ((await kindOf(dir)) !== 'dir') return [];
  const files: InputFile[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const subset = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
    const file = path.join(dir, name);
    if (isSubset(subset) && (await kindOf(file)) === 'file') files.push(await describeInput(file, 'metadata', null, subset));
    else notes.push({ reason: 'unknown_file', file, detail: 'not a metadata/<subset>.json file: ignored' });
  }
  return files;
}

const PROBE_BYTES = 1 << 16;

/** Size, mtime and a hash of the file's first and last 64 KiB: cheap, and changes with the content. */
export async function describeInput(file: string, kind: InputFile['kind'], split: string | null, subset: string | null): Promise<InputFile> {
  const handle = await open(file, 'r');
  try {
    const s = await handle.stat();
    const hash = createHash('sha256');
    const buf = Buffer.alloc(Math.min(PROBE_BYTES, s.size));
    await handle.read(buf, 0, buf.length, 0);
    hash.update(buf);
    if (s.size > PROBE_BYTES) {
      await handle.read(buf, 0, buf.length, s.size - buf.length);
      hash.update(buf);
    }
    hash.update(String(s.size));
    return { path: file, kind, split, subset, bytes: s.size, mtimeMs: Math.trunc(s.mtimeMs), fingerprint: hash.digest('hex').slice(0, 32) };
  } finally {
    await handle.close();
  }
}
