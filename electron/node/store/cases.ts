import { OocError } from '../../common/errors.ts';
import type { Explanation, SaliencyMethod } from '../../common/saliency.ts';
import type { CaseFile, CaseImage, CasePin, CaseSummary, CaseVerdict, NewImageInfo, VetImageResult } from '../../common/vetting.ts';
import type { Db } from './db.ts';

/** Investigation cases (migration 11); their image files are kept by vetting/case-files.ts. */

interface CaseRow {
  case_id: number;
  title: string;
  claim: string;
  notes: string;
  place: string | null;
  verdict: CaseVerdict | null;
  created_at: string;
  updated_at: string;
}

const now = (): string => new Date().toISOString();

export function listCases(db: Db): CaseSummary[] {
  return (
    db
      .prepare(
        `SELECT c.case_id AS caseId, c.title, c.claim, c.verdict, c.created_at AS createdAt, c.updated_at AS updatedAt,
                (SELECT count(*) FROM case_images i WHERE i.case_id = c.case_id) AS images
         FROM cases c ORDER BY c.updated_at DESC, c.case_id DESC`,
      )
      .all() as CaseSummary[]
  );
}

export function createCase(db: Db, title: string, claim: string): number {
  const at = now();
  return Number(db.prepare('INSERT INTO cases (title, claim, created_at, updated_at) VALUES (?, ?, ?, ?)').run(title, claim, at, at).lastInsertRowid);
}

function requireCaseRow(db: Db, caseId: number): CaseRow {
  const row = db.prepare('SELECT * FROM cases WHERE case_id = ?').get(caseId) as CaseRow | undefined;
  if (row === undefined) throw new OocError('NOT_FOUND', `no case ${caseId}; it may have been deleted`);
  return row;
}

export function getCase(db: Db, caseId: number): CaseFile {
  const row = requireCaseRow(db, caseId);
  const images = (
    db.prepare('SELECT * FROM case_images WHERE case_id = ? ORDER BY position, added_at').all(caseId) as {
      sha256: string;
      name: string;
      format: string;
      bytes: number;
      width: number;
      height: number;
      added_at: string;
      source: string | null;
      evidence: string | null;
      evidence_at: string | null;
    }[]
  ).map(
    (r): CaseImage => ({
      name: r.name,
      sha256: r.sha256,
      format: r.format,
      bytes: r.bytes,
      width: r.width,
      height: r.height,
      addedAt: r.added_at,
      source: r.source,
      evidence: r.evidence === null ? null : (JSON.parse(r.evidence) as VetImageResult),
      evidenceAt: r.evidence_at,
    }),
  );
  const pins = db.prepare('SELECT pin_id AS pinId, target, label, created_at AS createdAt FROM case_pins WHERE case_id = ? ORDER BY pin_id').all(caseId) as CasePin[];
  const place = row.place === null ? null : (JSON.parse(row.place) as CaseFile['place']);
  return { caseId, title: row.title, claim: row.claim, notes: row.notes, place, verdict: row.verdict, createdAt: row.created_at, updatedAt: row.updated_at, images, pins };
}

export interface CaseChanges {
  title?: string;
  claim?: string;
  notes?: string;
  place?: { latitude: number; longitude: number } | null;
  verdict?: CaseVerdict | null;
}

/** Applies the changes given; a changed claim or place makes every image's evidence stale (cleared). */
export function updateCase(db: Db, caseId: number, changes: CaseChanges): void {
  db.transaction(() => {
    const row = requireCaseRow(db, caseId);
    const place = changes.place === undefined ? row.place : changes.place === null ? null : JSON.stringify(changes.place);
    const next = { title: changes.title ?? row.title, claim: changes.claim ?? row.claim, notes: changes.notes ?? row.notes, verdict: changes.verdict === undefined ? row.verdict : changes.verdict };
    db.prepare('UPDATE cases SET title = ?, claim = ?, notes = ?, place = ?, verdict = ?, updated_at = ? WHERE case_id = ?').run(next.title, next.claim, next.notes, place, next.verdict, now(), caseId);
    if (next.claim !== row.claim || place !== row.place) db.prepare('UPDATE case_images SET evidence = NULL, evidence_at = NULL WHERE case_id = ?').run(caseId);
  })();
}

/** Deletes a case and returns the sha256 of its images that no other case uses (their files can go). */
export function deleteCase(db: Db, caseId: number): string[] {
  return db.transaction(() => {
    requireCaseRow(db, caseId);
    const shas = db.prepare('SELECT sha256 FROM case_images WHERE case_id = ?').pluck().all(caseId) as string[];
    db.prepare('DELETE FROM cases WHERE case_id = ?').run(caseId);
    return shas.filter((sha) => !imageInUse(db, sha));
  })();
}

export function imageInUse(db: Db, sha256: string): boolean {
  return db.prepare('SELECT 1 FROM case_images WHERE sha256 = ? LIMIT 1').get(sha256) !== undefined;
}

/** Adds an image (once per case: the same bytes again are a no-op). */
export function addCaseImage(db: Db, caseId: number, image: NewImageInfo, source: string | null = null): void {
  db.transaction(() => {
    requireCaseRow(db, caseId);
    const position = db.prepare('SELECT coalesce(max(position), -1) + 1 FROM case_images WHERE case_id = ?').pluck().get(caseId) as number;
    db.prepare(
      `INSERT INTO case_images (case_id, sha256, name, format, bytes, width, height, position, added_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (case_id, sha256) DO NOTHING`,
    ).run(caseId, image.sha256, image.name, image.format, image.bytes, image.width, image.height, position, now(), source);
    touch(db, caseId);
  })();
}

export function removeCaseImage(db: Db, caseId: number, sha256: string): void {
  db.transaction(() => {
    requireCaseRow(db, caseId);
    if (db.prepare('DELETE FROM case_images WHERE case_id = ? AND sha256 = ?').run(caseId, sha256).changes === 0) throw new OocError('NOT_FOUND', `case ${caseId} has no image ${sha256}`);
    touch(db, caseId);
  })();
}

export function saveEvidence(db: Db, caseId: number, sha256: string, evidence: VetImageResult): void {
  db.prepare('UPDATE case_images SET evidence = ?, evidence_at = ? WHERE case_id = ? AND sha256 = ?').run(JSON.stringify(evidence), now(), caseId, sha256);
}

export function pinEvidence(db: Db, caseId: number, target: string, label: string): void {
  db.transaction(() => {
    requireCaseRow(db, caseId);
    db.prepare('INSERT INTO case_pins (case_id, target, label, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (case_id, target) DO UPDATE SET label = excluded.label').run(caseId, target, label, now());
    touch(db, caseId);
  })();
}

export function unpinEvidence(db: Db, caseId: number, pinId: number): void {
  db.transaction(() => {
    requireCaseRow(db, caseId);
    db.prepare('DELETE FROM case_pins WHERE case_id = ? AND pin_id = ?').run(caseId, pinId);
    touch(db, caseId);
  })();
}

function touch(db: Db, caseId: number): void {
  db.prepare('UPDATE cases SET updated_at = ? WHERE case_id = ?').run(now(), caseId);
}

/** What a case image's saliency map is kept under (beside the case and image). */
export interface CaseSaliencyKey {
  caseId: number;
  sha256: string;
  model: string;
  method: SaliencyMethod;
  /** The parameters that change the result, serialised. */
  params: string;
}

/** A map computed for this image against the claim as it now reads (a changed claim misses). */
export function cachedCaseSaliency(db: Db, k: CaseSaliencyKey, claim: string): Explanation | undefined {
  const row = db
    .prepare('SELECT result FROM case_saliency WHERE case_id = ? AND sha256 = ? AND model = ? AND method = ? AND params = ? AND claim = ?')
    .pluck()
    .get(k.caseId, k.sha256, k.model, k.method, k.params, claim) as string | undefined;
  return row === undefined ? undefined : (JSON.parse(row) as Explanation);
}

export function saveCaseSaliency(db: Db, k: CaseSaliencyKey, claim: string, result: Explanation): void {
  db.prepare('INSERT OR REPLACE INTO case_saliency (case_id, sha256, model, method, params, claim, result, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    k.caseId,
    k.sha256,
    k.model,
    k.method,
    k.params,
    claim,
    JSON.stringify(result),
    now(),
  );
}

/** Every map computed for a case's image against the claim as it now reads (for the report). */
export function caseSaliencyOf(db: Db, caseId: number, sha256: string, claim: string): Explanation[] {
  const rows = db.prepare('SELECT result FROM case_saliency WHERE case_id = ? AND sha256 = ? AND claim = ? ORDER BY model, method, created_at').pluck().all(caseId, sha256, claim) as string[];
  return rows.map((r) => JSON.parse(r) as Explanation);
}
