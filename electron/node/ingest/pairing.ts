import type { NumberedAnnotation, PairRow } from '../store/annotations.ts';

export interface PairingNote {
  reason: string;
  row: number;
  detail: string;
}

/**
 * Groups annotation rows into pairs. NewsCLIPpings alternates a pristine row (id == image_id)
 * and the falsified row for the same caption; real copies can lose a row or repeat one, so rows
 * are grouped by runs of the same caption id rather than by position, and anything irregular is
 * noted rather than dropped.
 */
export function pairAnnotations(rows: readonly NumberedAnnotation[]): { pairs: PairRow[]; notes: PairingNote[] } {
  const pairs: PairRow[] = [];
  const notes: PairingNote[] = [];
  let current: PairRow | null = null;
  for (const row of rows) {
    if (current === null || current.captionId !== row.id || (row.falsified ? current.falsified : current.pristine) !== null) {
      if (current !== null && current.captionId === row.id) {
        notes.push({ reason: 'repeated_row', row: row.row, detail: `caption ${row.id} has a second ${row.falsified ? 'falsified' : 'pristine'} row` });
      }
      if (current !== null) pairs.push(current);
      current = { captionId: row.id, pristine: null, falsified: null };
    }
    if (row.falsified) {
      current.falsified = row;
      if (row.image_id === row.id) notes.push({ reason: 'falsified_uses_own_image', row: row.row, detail: `caption ${row.id} is marked falsified with its own image` });
    } else {
      current.pristine = row;
      if (row.image_id !== row.id) {
        notes.push({ reason: 'pristine_image_differs', row: row.row, detail: `caption ${row.id} is marked pristine with image ${row.image_id}` });
      }
    }
  }
  if (current !== null) pairs.push(current);
  for (const pair of pairs) {
    const only = pair.pristine ?? pair.falsified;
    if (only === null || (pair.pristine !== null && pair.falsified !== null)) continue;
    notes.push({
      reason: pair.pristine === null ? 'falsified_without_pristine' : 'pristine_without_falsified',
      row: only.row,
      detail: `caption ${pair.captionId} has only a ${pair.pristine === null ? 'falsified' : 'pristine'} row`,
    });
  }
  return { pairs, notes };
}
