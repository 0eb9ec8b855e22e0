import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { OocError } from '../../common/errors.ts';
import { bundledModelsDir, userModelsDir } from '../app-paths.ts';
import { readModel, type InstalledModel } from './manifest.ts';

/** The model the bundled demo runs with: random weights, so its scores mean nothing. */
export const TINY_MODEL_ID = 'tiny-random-clip';

export interface ModelListing {
  models: InstalledModel[];
  /** Folders that look like models but cannot be used, each with the reason. */
  broken: Array<{ dir: string; reason: string }>;
}

/** Every model folder (one holding manifest.json) in the bundled and the user's models folders. */
export async function listModels(env: NodeJS.ProcessEnv = process.env): Promise<ModelListing> {
  const listing: ModelListing = { models: [], broken: [] };
  const seen = new Set<string>();
  for (const root of [userModelsDir(env), bundledModelsDir(env)]) {
    let entries: string[];
    try {
      entries = (await readdir(root)).sort();
    } catch {
      continue;
    }
    for (const name of entries) {
      const dir = path.join(root, name);
      if (!(await isFile(path.join(dir, 'manifest.json')))) continue;
      try {
        const model = await readModel(dir);
        if (seen.has(model.manifest.id)) continue;
        seen.add(model.manifest.id);
        listing.models.push(model);
      } catch (err) {
        listing.broken.push({ dir, reason: (err as Error).message });
      }
    }
  }
  return listing;
}

/**
 * The model to use: a folder path, an installed model's id, or (when none is named) the first
 * installed model with real weights, falling back to the bundled tiny model.
 */
export async function resolveModel(spec: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<InstalledModel> {
  if (spec !== undefined && (await isFile(path.join(spec, 'manifest.json')))) return readModel(path.resolve(spec));
  const { models, broken } = await listModels(env);
  if (spec !== undefined) {
    const found = models.find((m) => m.manifest.id === spec);
    if (found) return found;
    const known = models.map((m) => m.manifest.id).join(', ') || 'none';
    throw new OocError('MODEL_MISSING', `no model "${spec}": not a model folder, and no installed model has that id (installed: ${known})`);
  }
  const preferred = models.find((m) => m.manifest.weights.meaningfulScores) ?? models.find((m) => m.manifest.id === TINY_MODEL_ID) ?? models[0];
  if (preferred) return preferred;
  const why = broken.map((b) => `${b.dir}: ${b.reason}`).join('; ');
  throw new OocError('MODEL_MISSING', `no CLIP model is installed${why ? ` (unusable: ${why})` : ''}; see models/README.md`);
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
