import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFileAtomically } from '../atomic-write.ts';
import path from 'node:path';
import sharp from 'sharp';
import { OocError } from '../../common/errors.ts';
import { FETCH_TIMEOUT_MS, type CaseFile, type VetProgress } from '../../common/vetting.ts';
import { addCaseImage, cachedCaseSaliency, caseSaliencyOf, deleteCase, getCase, imageInUse, saveCaseSaliency, saveEvidence } from '../store/cases.ts';
import { DEFAULT_SALIENCY_PARAMS, type Explanation, type SaliencyMethod, type SaliencyParams } from '../../common/saliency.ts';
import type { ClipModel } from '../inference/clip.ts';
import { checkParams, explainImage, saliencyCacheKey } from '../saliency/explain.ts';
import { overlayPng } from '../saliency/render.ts';
import type { Db } from '../store/db.ts';
import { fetchImage } from './fetch-image.ts';
import { readNewImage } from './new-image.ts';
import { caseReport } from './report.ts';
import { encodeClaim, imageEvidence, referenceFile, type VetModels } from './vet.ts';

/**
 * A case's images are copied beside the database, once per content: `<db>.cases/<sha256>`. The
 * case rows live in the database, so the two travel together, as trained heads do.
 */
export function caseImagesDir(db: Db): string {
  return `${path.resolve(db.name)}.cases`;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** The stored file of an image, by its sha256 (checked: never a path from outside). */
export function caseImageFile(db: Db, sha256: string): string {
  if (!SHA256.test(sha256)) throw new OocError('BAD_ARGUMENT', `not an image's sha256: ${JSON.stringify(sha256)}`);
  return path.join(caseImagesDir(db), sha256);
}

/** Writes the bytes under their hash unless already there: a temporary file, synced, renamed. */
function storeBytes(db: Db, sha256: string, bytes: Buffer): void {
  const file = caseImageFile(db, sha256);
  if (existsSync(file)) return;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomically(file, bytes, { durable: true });
}

/**
 * Adds an image to a case, from a file, bytes, or a web address (fetchImage): checked first
 * (readNewImage: nothing is stored for a bad one), then its bytes kept under their sha256, then
 * the row. The same image twice is kept once.
 */
export async function addImageToCase(db: Db, caseId: number, source: { file: string } | { bytes: Buffer; name: string } | { url: string }): Promise<CaseFile> {
  getCase(db, caseId);
  const fetched = 'url' in source ? await fetchImage(source.url, { timeoutMs: FETCH_TIMEOUT_MS }) : null;
  const image = await readNewImage(fetched ?? (source as { file: string } | { bytes: Buffer; name: string }));
  storeBytes(db, image.info.sha256, image.bytes);
  addCaseImage(db, caseId, image.info, fetched?.url ?? null);
  return getCase(db, caseId);
}

/** Deletes a case, and the image files no other case uses. */
export function deleteCaseAndImages(db: Db, caseId: number): void {
  for (const sha of deleteCase(db, caseId)) rmSync(caseImageFile(db, sha), { force: true });
}

/** Removes files of images no case uses any more (after an image was taken out of a case). */
export function dropUnusedImage(db: Db, sha256: string): void {
  if (!imageInUse(db, sha256)) rmSync(caseImageFile(db, sha256), { force: true });
}

/** A preview of a stored image for the UI: at most `size` px on its longer side, as a JPEG data URL. */
export async function casePreview(db: Db, sha256: string, size: number): Promise<string> {
  const file = caseImageFile(db, sha256);
  if (!existsSync(file)) throw new OocError('NOT_FOUND', `no stored image ${sha256}`);
  const jpeg = await sharp(file, { animated: false }).rotate().flatten({ background: '#ffffff' }).resize(size, size, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 85 }).toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}

export interface VetCaseOptions {
  split?: string;
  subset?: string;
  /** Only images without evidence (default), or all again. */
  redo?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: VetProgress) => void;
}

/**
 * Computes the evidence of a case's images, one at a time, each saved as soon as it is done: a
 * cancelled or killed run keeps what it finished, and the next run does only the rest.
 */
export async function vetCase(db: Db, caseId: number, models: VetModels | undefined, options: VetCaseOptions = {}): Promise<CaseFile> {
  const file = getCase(db, caseId);
  const reference = referenceFile(db, options.split, options.subset);
  const todo = file.images.filter((i) => options.redo === true || i.evidence === null);
  const claims = await encodeClaim(models, file.claim.trim());
  let done = 0;
  options.onProgress?.({ done, total: todo.length, image: todo[0]?.name ?? null });
  for (const [k, entry] of todo.entries()) {
    if (options.signal?.aborted) throw new OocError('CANCELLED', 'vetting was cancelled; run it again to finish the remaining images');
    let bytes: Buffer | null = null;
    try {
      bytes = readFileSync(caseImageFile(db, entry.sha256));
    } catch (err) {
      const info = { name: entry.name, sha256: entry.sha256, bytes: entry.bytes, width: entry.width, height: entry.height, format: entry.format };
      const message = `the stored copy of ${entry.name} cannot be read (${err instanceof Error ? err.message : String(err)}); remove the image and add it again`;
      saveEvidence(db, caseId, entry.sha256, { image: info, nearDuplicates: [], hashSearch: null, scores: [], forensics: null, errors: [{ part: 'image', message }] });
    }
    if (bytes !== null) saveEvidence(db, caseId, entry.sha256, await imageEvidence(db, await readNewImage({ bytes, name: entry.name }), claims, reference, models, undefined, file.place ?? undefined));
    done++;
    options.onProgress?.({ done, total: todo.length, image: todo[k + 1]?.name ?? null });
  }
  return getCase(db, caseId);
}

/**
 * Explains a case image against the case's claim (saliency/explain.ts), kept with the case for
 * the claim as it reads now.
 */
export async function explainCaseImage(
  db: Db,
  clip: ClipModel,
  request: { caseId: number; sha256: string; method: SaliencyMethod; params?: Partial<SaliencyParams> },
  onProgress?: (done: number, total: number) => void,
): Promise<Explanation> {
  const file = getCase(db, request.caseId);
  const image = file.images.find((i) => i.sha256 === request.sha256);
  if (image === undefined) throw new OocError('NOT_FOUND', `case ${request.caseId} has no image ${request.sha256}`);
  const claim = file.claim.trim();
  if (claim === '') throw new OocError('BAD_ARGUMENT', 'type the claimed caption first: saliency explains the image against it');
  const params = { ...DEFAULT_SALIENCY_PARAMS, ...request.params };
  checkParams(params);
  const key = { caseId: request.caseId, sha256: request.sha256, model: clip.manifest.id, method: request.method, params: saliencyCacheKey(request.method, params, undefined) };
  const cached = cachedCaseSaliency(db, key, claim);
  if (cached !== undefined) return { ...cached, cached: true };
  const result = await explainImage(clip, { file: caseImageFile(db, request.sha256), label: image.name }, claim, { method: request.method, params }, onProgress);
  saveCaseSaliency(db, key, claim, result);
  return result;
}

/** A case's report (report.ts): its images read from the store (a lost copy is said to be missing). */
export async function reportOfCase(db: Db, caseId: number, app: string): Promise<{ html: string; json: string; filename: string }> {
  const file = getCase(db, caseId);
  const claim = file.claim.trim();
  const images = await Promise.all(
    file.images.map(async (i) => {
      let bytes = Buffer.alloc(0);
      try {
        bytes = readFileSync(caseImageFile(db, i.sha256));
      } catch {
        // said in the report
      }
      const saliency = await Promise.all(
        caseSaliencyOf(db, caseId, i.sha256, claim).map(async (explanation) => ({
          explanation,
          overlay: explanation.map === null || bytes.length === 0 ? null : `data:image/png;base64,${(await overlayPng(caseImageFile(db, i.sha256), explanation.map, 320, 'jet', 0.5)).toString('base64')}`,
        })),
      );
      return { bytes, source: i.source, evidence: i.evidence, name: i.name, saliency };
    }),
  );
  const { html, json } = await caseReport(db, { title: file.title, claim: claim || null, notes: file.notes, verdict: file.verdict, place: file.place, pins: file.pins, images }, app);
  const slug = file.title.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').slice(0, 60) || `case-${caseId}`;
  return { html, json: `${JSON.stringify(json, null, 2)}\n`, filename: `${slug}-report` };
}
