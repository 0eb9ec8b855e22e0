import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HeadInfo } from '../../common/heads.ts';
import { OocError } from '../../common/errors.ts';
import type { Db } from '../store/db.ts';

/**
 * Trained heads live beside the database, one folder each: `head.onnx` (the model, weights
 * included, for any ONNX tool) and `head.json` (what it is and how training went).
 */
export function headsDir(db: Db): string {
  return `${path.resolve(db.name)}.heads`;
}

const NAME = /^[\w.-]{1,80}$/;

export function checkHeadName(name: string): void {
  if (!NAME.test(name) || name.startsWith('.')) {
    throw new OocError('BAD_ARGUMENT', `a head's name is its folder's: letters, digits, ".", "-" and "_" (up to 80, not starting with "."), got ${JSON.stringify(name)}`);
  }
}

function readInfo(folder: string): HeadInfo | null {
  try {
    const info = JSON.parse(readFileSync(path.join(folder, 'head.json'), 'utf8')) as HeadInfo;
    return { ...info, model: path.join(folder, 'head.onnx') };
  } catch {
    return null;
  }
}

export function listHeads(db: Db): HeadInfo[] {
  const dir = headsDir(db);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => readInfo(path.join(dir, e.name)))
    .filter((h): h is HeadInfo => h !== null)
    .sort((a, b) => a.trainedAt.localeCompare(b.trainedAt) || a.name.localeCompare(b.name));
}

export function readHead(db: Db, name: string): HeadInfo | null {
  checkHeadName(name);
  return readInfo(path.join(headsDir(db), name));
}

/** A head by name, or a NOT_FOUND error naming the heads there are. */
export function requireHead(db: Db, name: string): HeadInfo {
  const head = readHead(db, name);
  if (head !== null) return head;
  const names = listHeads(db).map((h) => h.name);
  throw new OocError('NOT_FOUND', `no head named "${name}" (${names.length === 0 ? 'none trained yet: ooc train-head' : `heads: ${names.join(', ')}`})`);
}

/**
 * Saves a head whole: both files go to a hidden folder, which then takes the head's place, so
 * a head is never half written. A head of the same name is replaced only when asked.
 */
export function saveHead(db: Db, info: Omit<HeadInfo, 'model'>, model: Uint8Array, replace: boolean): HeadInfo {
  checkHeadName(info.name);
  const dir = headsDir(db);
  const target = path.join(dir, info.name);
  if (!replace && existsSync(target)) throw new OocError('BAD_ARGUMENT', `a head named "${info.name}" exists (replace it with --replace)`);
  const work = path.join(dir, `.${info.name}.${process.pid}.partial`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(path.join(work, 'head.onnx'), model);
  writeFileSync(path.join(work, 'head.json'), `${JSON.stringify(info, null, 2)}\n`);
  const old = path.join(dir, `.${info.name}.${process.pid}.replaced`);
  if (existsSync(target)) renameSync(target, old);
  renameSync(work, target);
  rmSync(old, { recursive: true, force: true });
  return { ...info, model: path.join(target, 'head.onnx') };
}

/** Deletes a head the user names (its prediction run stays, under Evaluation). */
export function deleteHead(db: Db, name: string): void {
  requireHead(db, name);
  rmSync(path.join(headsDir(db), name), { recursive: true, force: true });
}
