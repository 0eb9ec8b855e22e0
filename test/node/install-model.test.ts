import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ClipModel } from '../../electron/node/inference/clip.ts';
import { installModel } from '../../electron/node/inference/install.ts';
import { listModels } from '../../electron/node/inference/registry.ts';
import { tempDir } from '../fixtures/corpus.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Debian's python3-torch (see models/exporter); absent on machines that only run the app. */
const TORCH_PYTHON = '/usr/bin/python3';

function hasTorch(): boolean {
  try {
    execFileSync(TORCH_PYTHON, ['-c', 'import torch, onnx, regex'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('installing needs a known model and a Python with PyTorch, and says so', async (t) => {
  const env = { ...process.env, OOC_HOME: tempDir(t) };
  await assert.rejects(installModel('clip-vit-z-99', { env }), { code: 'NOT_FOUND', message: /known: clip-vit-b-32/ });
  await assert.rejects(installModel('clip-vit-b-32', { env, python: path.join(tempDir(t), 'no-python') }), {
    code: 'MODEL_UNAVAILABLE',
    message: /needs Python with PyTorch.*apt-get install python3-torch/,
  });
});

test('a model is downloaded from a mirror, checked, exported and then listed with real weights', { skip: hasTorch() ? false : `no PyTorch in ${TORCH_PYTHON} (apt-get install python3-torch python3-onnx python3-regex)` }, async (t) => {
  const dir = tempDir(t);
  const env = { ...process.env, OOC_HOME: path.join(dir, 'home') };
  // A checkpoint in OpenAI's layout (tiny, seeded) and the tiny model's tokenizer, served like a model host.
  const weights = path.join(dir, 'w.pt');
  execFileSync(TORCH_PYTHON, ['-c', `import sys, torch; sys.path.insert(0, ${JSON.stringify(path.join(ROOT, 'models', 'exporter'))}); from clip_model import Clip, PRESETS; torch.save(Clip(PRESETS["tiny"]).randomize(3).state_dict(), ${JSON.stringify(weights)})`]);
  const files: Record<string, Buffer> = { 'w.pt': readFileSync(weights), 'tokenizer.json': readFileSync(path.join(ROOT, 'models', 'tiny-random-clip', 'tokenizer.json')) };
  const server = createServer((req, res) => {
    const body = files[path.basename(req.url ?? '')];
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models`;
  const entry = { id: 'clip-tiny-test', name: 'tiny test CLIP', licence: 'test', weights: { name: 'w.pt', url: 'unused' }, tokenizer: { name: 'tokenizer.json', url: 'unused' } };

  const stages: string[] = [];
  const { model, downloads } = await installModel(entry, { env, mirror, python: TORCH_PYTHON, onStage: (s) => stages.push(s) });
  assert.deepEqual(stages.map((s) => s.split(' ')[0]), ['checking', 'downloading', 'downloading', 'exporting']);
  assert.equal(downloads.length, 2);
  assert.equal(model.manifest.id, 'clip-tiny-test');
  assert.equal(model.manifest.weights.meaningfulScores, true);
  const listed = (await listModels(env)).models.find((m) => m.manifest.id === 'clip-tiny-test');
  assert.ok(listed, 'the installed model is found');
  const clip = new ClipModel(listed, 'cpu');
  t.after(() => clip.release());
  const [a] = [await clip.encodeTexts(['a protest in Lisbon'])];
  assert.equal(a.length, 32);

  const again = await installModel(entry, { env, mirror, python: TORCH_PYTHON });
  assert.equal(again.downloads.length, 0, 'an installed model is not fetched again');
});
