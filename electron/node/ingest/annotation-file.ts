import type { NumberedAnnotation } from '../store/annotations.ts';
import { JsonStructureError, scanJsonFile, type ScannedRecord } from './json-stream.ts';
import { parseAnnotation } from './records.ts';

export interface LogItem {
  kind: 'skip' | 'note';
  reason: string;
  record?: number;
  offset?: number;
  detail: string;
}

export interface ReadAnnotationFile {
  /** Set when the file as a whole cannot be used; nothing else is then kept from it. */
  fileError?: string;
  rows: NumberedAnnotation[];
  totalRows: number;
  sourceDatasets: string[] | null;
  log: LogItem[];
}

/**
 * Reads one NewsCLIPpings split file: `{"annotations": [...], "source_datasets"?: [...]}`.
 * Rows are validated one by one (bad ones are skipped with a reason); a file without an
 * `annotations` list is refused as a whole with an error naming the file.
 */
export async function readAnnotationFile(file: string, knownIds: ReadonlySet<number>): Promise<ReadAnnotationFile> {
  const result: ReadAnnotationFile = { rows: [], totalRows: 0, sourceDatasets: null, log: [] };
  const topKeys: string[] = [];
  let descended = false;
  let bareList = false;
  try {
    for await (const batch of scanJsonFile(file, { descendInto: 'annotations' })) {
      descended ||= batch.descended;
      if (batch.container === '[') bareList = true;
      for (const rec of batch.records) {
        if (rec.parentKey === 'annotations' || bareList) {
          result.totalRows++;
          readRow(rec, knownIds, result);
        } else if (rec.key === 'source_datasets' && rec.error === undefined) {
          const list = rec.value;
          if (Array.isArray(list) && list.every((s) => typeof s === 'string')) result.sourceDatasets = list as string[];
          else result.log.push({ kind: 'note', reason: 'bad_source_datasets', detail: `"source_datasets" is not a list of names` });
        } else if (rec.key !== undefined) {
          topKeys.push(rec.key);
        }
      }
    }
  } catch (err) {
    if (!(err instanceof JsonStructureError)) throw err;
    return { ...result, rows: [], fileError: err.message };
  }
  if (!descended && !bareList) {
    const found = topKeys.length === 0 ? 'no keys' : `keys ${topKeys.map((k) => JSON.stringify(k)).join(', ')}`;
    return { ...result, rows: [], fileError: `${file}: no "annotations" list at the top level (found ${found})` };
  }
  if (bareList) result.log.push({ kind: 'note', reason: 'bare_annotation_list', detail: `${file} is a bare list of rows, not {"annotations": [...]}` });
  checkSourceDatasets(result);
  return result;
}

function readRow(rec: ScannedRecord, knownIds: ReadonlySet<number>, result: ReadAnnotationFile): void {
  const index = rec.index;
  const at = { record: index, offset: rec.start };
  if (rec.error !== undefined) {
    result.log.push({ kind: 'skip', reason: rec.errorReason ?? 'malformed_json', ...at, detail: rec.error });
    return;
  }
  const parsed = parseAnnotation(rec.value);
  if (!parsed.ok) {
    result.log.push({ kind: 'skip', reason: parsed.reason, ...at, detail: parsed.detail });
    return;
  }
  const row = parsed.row;
  if (!knownIds.has(row.id)) {
    result.log.push({ kind: 'skip', reason: 'unknown_caption_id', ...at, detail: `caption id ${row.id} is not in data.json` });
    return;
  }
  if (!knownIds.has(row.image_id)) {
    result.log.push({ kind: 'skip', reason: 'unknown_image_id', ...at, detail: `image id ${row.image_id} is not in data.json` });
    return;
  }
  result.rows.push({ ...row, row: index });
}

function checkSourceDatasets(result: ReadAnnotationFile): void {
  for (const row of result.rows) {
    if (row.source_dataset === null) continue;
    if (result.sourceDatasets === null || row.source_dataset >= result.sourceDatasets.length) {
      result.log.push({
        kind: 'note',
        reason: 'source_dataset_unnamed',
        record: row.row,
        detail: `source_dataset ${row.source_dataset} has no name in "source_datasets"`,
      });
    }
  }
}
