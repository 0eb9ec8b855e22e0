import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildIndex } from '../../electron/node/ingest/indexer.ts';
import { computePairScores, scoreRuns } from '../../electron/node/store/pair-scores.ts';
import { ClipModel } from '../../electron/node/inference/clip.ts';
import { runEmbedJob } from '../../electron/node/inference/embed-job.ts';
import { readModel } from '../../electron/node/inference/manifest.ts';
import { openDatabase, type Db } from '../../electron/node/store/db.ts';
import { getPair, pairsPage } from '../../electron/node/store/pairs.ts';
import { getSet, readVector } from '../../electron/node/store/vectors.ts';
import type { PairQuery, PairSummary } from '../../electron/common/pairs.ts';
import { tempDir } from '../fixtures/corpus.ts';
import { writeImageCorpus } from '../fixtures/image-corpus.ts';

const TINY = fileURLToPath(new URL('../../models/tiny-random-clip/', import.meta.url));
const MODEL = 'tiny-random-clip';

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    dot += x * b[i]!;
    na += x * x;
    nb += b[i]! * b[i]!;
  });
  return dot / Math.sqrt(na * nb);
}

/** Every page of a query, followed by its cursors. */
function allPages(db: Db, query: PairQuery): PairSummary[] {
  const out: PairSummary[] = [];
  let cursor: string | null = null;
  do {
    const page = pairsPage(db, { ...query, cursor, limit: 3 });
    out.push(...page.items);
    cursor = page.next;
  } while (cursor !== null);
  return out;
}

test('pairs are scored by caption–image and caption–caption cosine, and sort and filter by it', async (t) => {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(dir);
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  const clip = new ClipModel(await readModel(TINY), 'cpu');
  t.after(() => clip.release());
  await runEmbedJob(db, clip, { what: 'all' });

  const run = await computePairScores(db, MODEL);
  assert.equal(run.complete, true);
  assert.equal(run.pairs, 12 + 4 + 5);
  assert.equal(run.textText, run.pairs, 'every caption has a vector');
  assert.equal(run.textImage, run.pairs, 'every pair has an image with a vector (the missing one is a falsified image)');
  assert.deepEqual(scoreRuns(db).map((r) => r.name), [MODEL]);

  // Each score is the cosine of the stored vectors.
  const [text, image] = [getSet(db, MODEL, 'text')!, getSet(db, MODEL, 'image')!];
  const page = pairsPage(db, { split: 'merged_balanced', subset: 'test', scoreModel: MODEL, limit: 50 });
  for (const pair of page.items) {
    const scores = pair.modelScores[0]!;
    const caption = readVector(db, text, pair.captionId)!;
    const check = (score: number | null, imageId: number | undefined) => {
      const v = imageId === undefined ? undefined : readVector(db, image, imageId);
      if (v === undefined) assert.equal(score, null, `pair ${pair.pairId}`);
      else assert.ok(Math.abs(score! - cosine(caption, v)) < 1e-6, `pair ${pair.pairId}`);
    };
    check(scores.pristine, pair.pristine?.imageId);
    check(scores.falsified, pair.falsified?.imageId);
    assert.ok(Math.abs(scores.textText! - cosine(caption, readVector(db, text, pair.falsified!.imageId)!)) < 1e-6);
  }
  const missing = page.items.find((p) => p.falsified?.imageId === corpus.missingImageId)!;
  assert.equal(missing.modelScores[0]!.falsified, null);
  assert.deepEqual(getPair(db, missing.pairId)!.modelScores.map((s) => s.name), [MODEL]);

  // Sorted by the falsified image's score, page by page: descending, unscored last, nothing lost.
  const sorted = allPages(db, { split: 'merged_balanced', subset: 'test', scoreModel: MODEL, sort: 'score-desc' });
  assert.equal(sorted.length, 12);
  const keys = sorted.map((p) => p.modelScores[0]!.falsified ?? -2);
  assert.deepEqual(keys, [...keys].sort((a, b) => b - a));
  assert.equal(sorted.at(-1)!.pairId, missing.pairId);

  // Text–text, ascending, with a range and a caption search.
  const median = [...sorted.map((p) => p.modelScores[0]!.textText!)].sort((a, b) => a - b)[6]!;
  const low = allPages(db, { split: 'merged_balanced', subset: 'test', scoreModel: MODEL, scoreMeasure: 'text-text', sort: 'score-asc', maxScore: median });
  assert.deepEqual(
    low.map((p) => p.pairId),
    sorted.filter((p) => p.modelScores[0]!.textText! <= median).sort((a, b) => a.modelScores[0]!.textText! - b.modelScores[0]!.textText!).map((p) => p.pairId),
  );
  const searched = pairsPage(db, { split: 'merged_balanced', subset: 'test', scoreModel: MODEL, sort: 'score-desc', q: 'Lisbon' });
  assert.ok(searched.items.length > 0 && searched.items.every((p) => p.caption.includes('Lisbon')));
  assert.equal(searched.total, searched.items.length);

  // A new index renumbers pairs: their scores are dropped, to be computed again.
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings, force: true });
  assert.deepEqual(scoreRuns(db), []);
  assert.equal((await computePairScores(db, MODEL)).pairs, 21);
});
