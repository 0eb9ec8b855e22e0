import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { TokenReport } from '../../electron/common/evaluation.ts';
import { logOdds, tokenReport } from '../../electron/node/evaluation/token-report.ts';
import { buildIndex } from '../../electron/node/ingest/indexer.ts';
import { createHandlers } from '../../electron/node/api/handlers.ts';
import { openDatabase, type Db } from '../../electron/node/store/db.ts';
import { runCli } from '../fixtures/cli.ts';
import { item, pairRows, tempDir, writeCorpus } from '../fixtures/corpus.ts';

const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;

test('log-odds with an informative Dirichlet prior match values computed by hand (Monroe et al., eq. 16–22)', () => {
  // Python: α_w = α0 · (a + b) / 40; δ = ln((a+α)/(20+α0−a−α)) − ln((b+α)/(20+α0−b−α)); z = δ / √(1/(a+α) + 1/(b+α)).
  const counts = new Map<string, [number, number]>([['a', [10, 2]], ['b', [5, 13]], ['c', [5, 5]]]);
  const pooled = logOdds(counts, 40);
  assert.equal(pooled.prior, 40);
  assert.deepEqual(pooled.tokens, [20, 20]);
  const [a, b, c] = pooled.scores;
  assert.ok(close(a!.logOdds, 0.6430403605057663) && close(a!.z, 1.8808854210312969) && Math.abs(a!.p - 0.05998750682366922) < 1e-7, JSON.stringify(a));
  assert.ok(close(b!.logOdds, -0.5421150712137469) && close(b!.z, -1.9698781644109373) && Math.abs(b!.p - 0.0488523355180079) < 1e-7, JSON.stringify(b));
  assert.deepEqual([c!.logOdds, c!.z, c!.p], [0, 0, 1]);
  // The default prior, a tenth of the pooled counts, shrinks less.
  const weak = logOdds(counts);
  assert.equal(weak.prior, 4);
  const [weakA, weakB] = weak.scores;
  assert.ok(close(weakA!.logOdds, 1.7382707842770686) && close(weakA!.z, 2.742332971843808), JSON.stringify(weakA));
  assert.ok(close(weakB!.logOdds, -1.4034104683524213) && close(weakB!.z, -3.029306035854186), JSON.stringify(weakB));
});

/**
 * Captions 1–20 ("officials met at the city hall on Monday") each paired with its own image and
 * with the image of item caption + 20, whose captions all speak of a protest crowd: the swapped-in
 * images' captions carry words the pristine ones never do. Test also has caption 50, which is
 * not indexed.
 */
async function indexed(t: Parameters<typeof tempDir>[0]): Promise<{ db: Db; dbFile: string; dir: string }> {
  const dir = tempDir(t);
  const items = [
    ...Array.from({ length: 20 }, (_, i) => item(i + 1, `Officials met at the city hall on Monday ${i + 1}`)),
    ...Array.from({ length: 20 }, (_, i) => item(i + 21, `A protest crowd gathers in the square, day ${i + 1}`)),
  ];
  const corpus = writeCorpus(path.join(dir, 'corpus'), items, {
    semantics_clip_text_image: {
      test: { annotations: Array.from({ length: 20 }, (_, i) => pairRows(i + 1, i + 21)).flat() },
      val: { annotations: pairRows(1, 21) },
    },
  });
  const dbFile = path.join(dir, 'workbench.db');
  const db = openDatabase(dbFile);
  t.after(() => db.close());
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  return { db, dbFile, dir };
}

test("a split file's captions are the same in both groups; the swapped-in images' captions are not", async (t) => {
  const { db } = await indexed(t);
  const captions = tokenReport(db, { split: 'semantics_clip_text_image' });
  assert.equal(captions.subset, 'test');
  assert.equal(captions.identical, true);
  assert.deepEqual(captions.groups.pristine, { rows: 20, tokens: 20 * 9, withoutText: 0 });
  assert.deepEqual(captions.groups.falsified, captions.groups.pristine);
  assert.deepEqual([captions.significant, captions.pristineWords, captions.falsifiedWords], [0, [], []]);

  const images = tokenReport(db, { split: 'semantics_clip_text_image', text: 'image-caption', top: 10 });
  assert.equal(images.identical, false);
  // Tested: the words seen at least 5 times (each number only twice): seven of each caption, and "the".
  assert.equal(images.tested, 7 + 7 + 1);
  // Equal scores are listed alphabetically; "the", in both, leans neither way.
  assert.deepEqual(images.falsifiedWords.map((w) => w.token), ['a', 'crowd', 'day', 'gathers', 'in', 'protest', 'square']);
  assert.deepEqual(images.pristineWords.map((w) => w.token), ['at', 'city', 'hall', 'met', 'monday', 'officials', 'on']);
  const protest = images.falsifiedWords.find((w) => w.token === 'protest')!;
  assert.deepEqual([protest.pristine, protest.falsified], [0, 20]);
  assert.ok(protest.z <= -images.criticalZ && protest.p < 0.05 / images.tested, JSON.stringify(protest));
  assert.equal(images.significant, 14);
});

test('bad requests name what is wrong', async (t) => {
  const { db } = await indexed(t);
  assert.throws(() => tokenReport(db, { split: 'nope' }), /no split named "nope" is indexed/);
  assert.throws(() => tokenReport(db, { split: 'semantics_clip_text_image', subset: 'train' }), /has no indexed train file \(it has test, val\)/);
  assert.throws(() => tokenReport(db, { split: 'semantics_clip_text_image', minCount: 0 }), /at least 1, got 0/);
  assert.throws(() => tokenReport(db, { split: 'semantics_clip_text_image', prior: -1 }), /positive number, got -1/);
});

test('the CLI prints both sides and writes the JSON; the API answers the same', async (t) => {
  const { db, dbFile, dir } = await indexed(t);
  const json = path.join(dir, 'tokens.json');
  const out = await runCli(['token-report', '--split', 'semantics_clip_text_image', '--text', 'image-caption', '--top', '3', '--db', dbFile, '--json', json]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /Semantics \/ CLIP Text-Image test, captions of the rows' images: 20 pristine rows \(180 words\), 20 falsified rows \(180 words\)/);
  assert.match(out.stdout, /leaning falsified/);
  assert.match(out.stdout, /crowd\s+0\s+20\s+-2\.496\s+-3\.38\s+0\.000726 \*/);
  const written = JSON.parse(readFileSync(json, 'utf8')) as TokenReport;
  assert.deepEqual(written, tokenReport(db, { split: 'semantics_clip_text_image', text: 'image-caption', top: 3 }));

  const same = await runCli(['token-report', '--split', 'semantics_clip_text_image', '--db', dbFile]);
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.stdout, /every caption appears in both groups as often/);

  const bad = await runCli(['token-report', '--split', 'semantics_clip_text_image', '--text', 'titles', '--db', dbFile]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--text must be one of caption, image-caption/);

  const api = createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test' });
  assert.deepEqual(await api['evaluation.tokens']({ split: 'semantics_clip_text_image', text: 'image-caption', top: 3 }), written);
  assert.throws(() => api['evaluation.tokens']({ split: 'semantics_clip_text_image', top: 0 }), /"top" must be from 1 to 1000/);
});
