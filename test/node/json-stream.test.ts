import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { JsonStructureError, scanJsonFile, type ScannedRecord, type ScanOptions } from '../../electron/node/ingest/json-stream.ts';
import { rng } from '../fixtures/synthetic.ts';
import { tempDir, writeText } from '../fixtures/corpus.ts';

async function scanAll(file: string, options: ScanOptions = {}): Promise<ScannedRecord[]> {
  const out: ScannedRecord[] = [];
  for await (const batch of scanJsonFile(file, options)) out.push(...batch.records);
  return out;
}

const tricky = [
  { id: 1, caption: 'quotes " and \\ backslashes \\" and brackets ] } [ {' },
  { id: 2, caption: 'unicode: Zoë, 北京, emoji 📷, RTL שלום, combining é' },
  { id: 3, caption: '' },
  { id: 4, caption: 'trailing backslash \\', nested: { a: [1, { b: '}]' }] } },
  { id: 5, caption: '\u2028line separator\u2029 and \t tab' },
];

test('records come out the same whatever the chunk size, with exact byte offsets', async (t) => {
  const dir = tempDir(t);
  const text = `\n [ ${tricky.map((r) => JSON.stringify(r)).join(' ,\n ')} ] \n`;
  const file = writeText(path.join(dir, 'a.json'), text);
  const reference = await scanAll(file);
  assert.deepEqual(
    reference.map((r) => r.value),
    tricky,
  );
  const bytes = Buffer.from(text);
  for (const r of reference) assert.deepEqual(JSON.parse(bytes.toString('utf8', r.start, r.end)), r.value);
  for (const chunkBytes of [1, 2, 3, 5, 7, 16, 64, 1000]) {
    assert.deepEqual(await scanAll(file, { chunkBytes }), reference, `chunk size ${chunkBytes}`);
  }
});

test('a UTF-8 byte-order mark is skipped', async (t) => {
  const file = writeText(path.join(tempDir(t), 'bom.json'), '\ufeff[{"id": 1}]');
  assert.deepEqual((await scanAll(file, { chunkBytes: 2 })).map((r) => r.value), [{ id: 1 }]);
});

test('a malformed record is reported with its position and the rest is still read', async (t) => {
  const file = writeText(path.join(tempDir(t), 'bad.json'), '[{"id": 1}, {"id": 2, "caption": "x",}, {"id": NaN}, {"id": 4}]');
  const records = await scanAll(file, { chunkBytes: 4 });
  assert.deepEqual(records.map((r) => r.index), [0, 1, 2, 3]);
  assert.deepEqual(records.map((r) => r.value), [{ id: 1 }, undefined, undefined, { id: 4 }]);
  assert.match(records[1]!.error!, /JSON/);
  assert.equal(records[1]!.start, 12);
});

test('a truncated file keeps every complete record and reports the cut one', async (t) => {
  const file = writeText(path.join(tempDir(t), 'cut.json'), '[{"id": 1}, {"id": 2}, {"id": 3, "capt');
  const records = await scanAll(file, { chunkBytes: 5 });
  assert.deepEqual(records.slice(0, 2).map((r) => r.value), [{ id: 1 }, { id: 2 }]);
  assert.match(records[2]!.error!, /truncated/);
});

test('files that are not a JSON array or object are refused with the file and offset', async (t) => {
  const dir = tempDir(t);
  for (const [name, text, pattern] of [
    ['scalar.json', '42', /expected a JSON array or object/],
    ['empty.json', '   ', /holds no JSON/],
    ['garbage.json', '[{"id": 1}] trailing', /unexpected content after/],
    ['unbalanced.json', '[{"id": 1}}', /unbalanced/],
    ['html.json', '<html></html>', /expected a JSON array or object/],
  ] as const) {
    const file = writeText(path.join(dir, name), text);
    await assert.rejects(scanAll(file), (err: unknown) => err instanceof JsonStructureError && pattern.test(err.message) && err.message.includes(file));
  }
});

test('a record larger than the limit is skipped with its place and reason, and the records after it are read', async (t) => {
  const huge = `{"caption": "${'x'.repeat(50_000)}\\\\", "list": [${'[1],'.repeat(2000)}[2]]}`;
  const file = writeText(path.join(tempDir(t), 'huge.json'), `[{"id": 1}, ${huge}, {"id": 3, "caption": "after \\" it"}]`);
  const records = await scanAll(file, { chunkBytes: 512, maxRecordBytes: 1024 });
  assert.deepEqual(records.map((r) => r.value), [{ id: 1 }, undefined, { id: 3, caption: 'after " it' }]);
  const skipped = records[1]!;
  assert.equal(skipped.errorReason, 'record_too_large');
  assert.match(skipped.error!, /over the 1,024-byte limit/);
  assert.equal(skipped.start, `[{"id": 1}, `.length, 'the skipped record is reported where it starts');
  assert.equal(skipped.end, `[{"id": 1}, `.length + Buffer.byteLength(huge));
  assert.equal(records[2]!.index, 2);
});

test('a record nested 50,000 levels deep is skipped with its reason, not a stack overflow', async (t) => {
  const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
  const file = writeText(path.join(tempDir(t), 'deep.json'), `[{"id": 1}, {"id": 2, "caption": ${deep}}, {"id": 3}]`);
  const records = await scanAll(file, { chunkBytes: 4096 });
  assert.deepEqual(records.map((r) => r.value), [{ id: 1 }, undefined, { id: 3 }]);
  assert.equal(records[1]!.errorReason, 'record_too_deep');
  assert.match(records[1]!.error!, /deeper than 100 levels/);
});

test('object members come with their keys (metadata files, dict-shaped data.json)', async (t) => {
  const file = writeText(path.join(tempDir(t), 'meta.json'), '{"385796": {"ents": ["Paris"], "x": {"}": 1}}, "12": null, "bad": }');
  const records = await scanAll(file, { chunkBytes: 3 });
  assert.deepEqual(records.map((r) => [r.key, r.value]), [
    ['385796', { ents: ['Paris'], x: { '}': 1 } }],
    ['12', null],
    [undefined, undefined],
  ]);
  assert.ok(records[2]!.error);
});

test('descending into the annotations list reads its rows and reports the other top-level members', async (t) => {
  const dir = tempDir(t);
  const file = writeText(
    path.join(dir, 'test.json'),
    '{"source_datasets": ["a", "b"], "annotations": [{"id": 1, "image_id": 1}, {"id": 1, "image_id": 2}], "extra": {"annotations": [9]}}',
  );
  for (const chunkBytes of [1, 4, 4096]) {
    const batches = [];
    for await (const b of scanJsonFile(file, { descendInto: 'annotations', chunkBytes })) batches.push(b);
    const records = batches.flatMap((b) => b.records);
    assert.equal(batches.at(-1)!.descended, true);
    assert.deepEqual(
      records.filter((r) => r.parentKey === 'annotations').map((r) => [r.index, r.value]),
      [
        [0, { id: 1, image_id: 1 }],
        [1, { id: 1, image_id: 2 }],
      ],
    );
    assert.deepEqual(
      records.filter((r) => r.key !== undefined).map((r) => [r.key, r.value]),
      [
        ['source_datasets', ['a', 'b']],
        ['extra', { annotations: [9] }],
      ],
    );
  }
});

test('resuming from any record end gives exactly the records that follow', async (t) => {
  const random = rng(3);
  const rows = Array.from({ length: 300 }, (_, i) => ({ id: i, caption: 'w'.repeat(Math.floor(random() * 50)) + (i % 7 === 0 ? ' "q" ]' : '') }));
  const file = writeText(path.join(tempDir(t), 'rows.json'), JSON.stringify(rows));
  const all = await scanAll(file, { chunkBytes: 97 });
  for (const cut of [0, 1, 57, 150, 298]) {
    const from = all[cut]!;
    const rest = await scanAll(file, { chunkBytes: 61, resumeFrom: { offset: from.end, nextIndex: from.index + 1, container: '[' } });
    assert.deepEqual(rest, all.slice(cut + 1));
  }
});
