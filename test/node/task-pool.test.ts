import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TaskPool } from '../../electron/node/jobs/task-pool.ts';
import { InProcessTasks } from '../../electron/node/jobs/tasks.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { tempDir } from '../fixtures/corpus.ts';
import { writeImageCorpus } from '../fixtures/image-corpus.ts';

test('saliency in the worker pool gives what the caller would compute, with progress, and errors keep their codes', async (t) => {
  const corpus = await writeImageCorpus(tempDir(t));
  const pool = new TaskPool(corpus.dbFile);
  t.after(() => pool.close());
  const task = { imageId: 102, captionId: 102, method: 'occlusion' as const, params: { grid: 4 }, colormap: 'viridis' as const };
  const steps: number[] = [];
  const pooled = await pool.run('saliency', task, (p) => steps.push(p.done));
  assert.ok(steps.length > 1 && steps.every((d, i) => i === 0 || d > steps[i - 1]!), 'progress comes back from the worker');
  assert.equal(pooled.cached, false);
  assert.match(pooled.heatmap ?? '', /^data:image\/png;base64,/);

  const db = openDatabase(corpus.dbFile);
  const local = new InProcessTasks(db);
  t.after(async () => {
    await local.close();
    db.close();
  });
  const here = await local.run('saliency', task);
  assert.equal(here.cached, true, 'the worker wrote the map to the shared cache');
  assert.deepEqual(here.map, pooled.map);

  // Several at once: spread over the workers, each answered.
  const many = await Promise.all([103, 104, 105, 106].map((id) => pool.run('saliency', { ...task, imageId: id, captionId: id })));
  assert.deepEqual(many.map((r) => r.imageId), [103, 104, 105, 106]);
  await assert.rejects(pool.run('saliency', { ...task, imageId: corpus.missingImageId }), { code: 'IMAGE_MISSING' });
  await assert.rejects(pool.run('saliencyPng', { ...task, method: 'words', opacity: 0.5 }), { code: 'BAD_ARGUMENT', message: /no image map/ });
});
