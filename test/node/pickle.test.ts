import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importEmbeddings } from '../../electron/node/embeddings/import.ts';
import { PickleFormatError, PickleRefusedError, readPickleFile, type PickleEntry } from '../../electron/node/embeddings/pickle.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { embeddingCounts, getSet, readVector } from '../../electron/node/store/vectors.ts';
import { tempDir } from '../fixtures/corpus.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/pickles/', import.meta.url));

function read(name: string): Array<[number | string, number[] | null, number[] | null]> {
  const out: Array<[number | string, number[] | null, number[] | null]> = [];
  readPickleFile(path.join(FIXTURES, name), (e: PickleEntry) => out.push([e.key, e.value && e.value.shape, e.value && Array.from(e.value.data)]));
  return out;
}

const row = (id: number) => Array.from({ length: 8 }, (_, c) => id + 0.125 * c);

test('numpy 1.x and 2.x pickles of protocols 2, 4 and 5 read the same, None entries included', () => {
  const expected = [
    [10, [8], row(10)],
    [11, [8], row(11)],
    [12, [8], row(12)],
    [13, null, null],
  ];
  for (const numpy of ['np1', 'np2']) for (const protocol of [2, 4, 5]) assert.deepEqual(read(`${numpy}-p${protocol}.pkl`), expected, `${numpy} protocol ${protocol}`);
});

test('float64, big-endian and Fortran-ordered arrays come out as float32 in C order', () => {
  for (const numpy of ['np1', 'np2']) {
    assert.deepEqual(read(`${numpy}-faces-f64-fortran.pkl`), [
      [20, [2, 4], [1, 2, 3, 4, 5, 6, 7, 8]],
      [21, [4], [9, 8, 7, 6]],
    ]);
  }
});

test('a pickle that asks for code to run is refused, naming what it asked for', () => {
  assert.throws(() => read('hostile-system.pkl'), (err: unknown) => err instanceof PickleRefusedError && /refused to load "(posix|os|nt)\.system"/.test(err.message));
  assert.throws(() => read('hostile-eval-p2.pkl'), (err: unknown) => err instanceof PickleRefusedError && /"(builtins|__builtin__)\.eval"/.test(err.message));
  assert.equal(existsSync('/tmp/ooc-pickle-pwned'), false);
});

test('malformed pickles give a specific error, not a crash', () => {
  const cases: Record<string, RegExp> = {
    'malformed-truncated.pkl': /ends early/,
    'malformed-garbage.pkl': /not allowed in an embeddings pickle|not a valid pickle/,
    'malformed-list.pkl': /does not hold a dict of arrays/,
    'malformed-objects.pkl': /not a number type|holds objects|refused/,
  };
  for (const [file, message] of Object.entries(cases)) {
    assert.throws(() => read(file), (err: unknown) => (err instanceof PickleFormatError || err instanceof PickleRefusedError) && message.test(err.message), file);
  }
});

test('import takes both file-name styles, keeps what was imported, and leaves nothing from a refused file', (t) => {
  const dir = tempDir(t);
  const embeddings = path.join(dir, 'embeddings');
  mkdirSync(path.join(embeddings, 'clip_image'), { recursive: true });
  mkdirSync(path.join(embeddings, 'clip_text'), { recursive: true });
  cpSync(path.join(FIXTURES, 'np1-p4.pkl'), path.join(embeddings, 'clip_image', 'train.pkl'));
  cpSync(path.join(FIXTURES, 'np2-p5.pkl'), path.join(embeddings, 'clip_image', 'clip_image_val.pkl'));
  cpSync(path.join(FIXTURES, 'hostile-system.pkl'), path.join(embeddings, 'clip_text', 'clip_text_test.pkl'));
  const db = openDatabase(path.join(dir, 'w.db'));
  t.after(() => db.close());

  const files = importEmbeddings(db, embeddings);
  const byName = Object.fromEntries(files.map((f) => [path.basename(f.file), f]));
  assert.equal(byName['clip_image_val.pkl']!.imported, 3);
  assert.equal(byName['clip_image_val.pkl']!.noneValues, 1);
  assert.equal(byName['train.pkl']!.imported, 0, 'the same ids again keep their vectors');
  assert.equal(byName['train.pkl']!.alreadyPresent, 3);
  assert.match(byName['clip_text_test.pkl']!.error!, /refused.*nothing was imported/);
  assert.deepEqual(embeddingCounts(db), { 'newsclippings-clip:image': 3 });
  assert.equal(getSet(db, 'newsclippings-clip', 'text'), undefined);
  assert.deepEqual(Array.from(readVector(db, getSet(db, 'newsclippings-clip', 'image')!, 11)!), row(11));
});

test('a refused file after good ones in the same set rolls back only its own vectors', (t) => {
  const dir = tempDir(t);
  const folder = path.join(dir, 'clip_image');
  mkdirSync(folder);
  cpSync(path.join(FIXTURES, 'np2-p4.pkl'), path.join(folder, 'a_train.pkl'));
  cpSync(path.join(FIXTURES, 'hostile-system.pkl'), path.join(folder, 'b_val.pkl'));
  const db = openDatabase(path.join(dir, 'w.db'));
  t.after(() => db.close());
  const [good, refused] = importEmbeddings(db, folder);
  assert.equal(good!.imported, 3);
  assert.ok(refused!.error);
  const set = getSet(db, 'newsclippings-clip', 'image')!;
  assert.equal(set.rows, 3);
  assert.equal(readVector(db, set, 30), undefined);
});
