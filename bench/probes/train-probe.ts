// In a fresh process, as `ooc train-head` runs: trains a head on the files head-data-probe.ts
// wrote, and prints how long it took and its val accuracy (at p ≥ 0.5, as scikit-learn predicts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HeadKind } from '../../electron/common/heads.ts';
import { trainHead } from '../../electron/node/heads/train.ts';

const [dir, kind, batch, lr] = [process.argv[2]!, process.argv[3] as HeadKind, process.argv[4], process.argv[5]];
const { dim } = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { dim: number };
const read = (file: string) => readFileSync(path.join(dir, file));
const floats = (file: string) => { const b = read(file); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
const ints = (file: string) => { const b = read(file); return new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
const rows = (subset: string) => ({ image: ints(`${subset}-image.i32`), text: ints(`${subset}-text.i32`), label: new Uint8Array(read(`${subset}-label.u8`)) });
const data = { dim, images: floats('images.f32'), texts: floats('texts.f32'), train: rows('train'), val: rows('val') };
// The matrices' pages are faulted in before the clock starts, as they are when the app's reader
// writes them, and as scikit-learn's feature matrix is before its script times the fit.
let touched = 0;
for (const m of [data.images, data.texts]) for (let k = 0; k < m.length; k += 1024) touched += m[k]!;
const started = performance.now();
const head = await trainHead(data, { shape: { kind, inputs: 'both', dim, hidden: kind === 'mlp' ? 256 : 0 }, seed: 0, maxEpochs: kind === 'mlp' ? 30 : 20, ...(batch ? { batchSize: Number(batch) } : {}), ...(lr ? { learningRate: Number(lr) } : {}), onProgress: (p) => p.step === p.steps && process.stderr.write(`  epoch ${p.epoch}: val accuracy ${(p.curve.at(-1)!.valAccuracy * 100).toFixed(2)}%, val loss ${p.curve.at(-1)!.valLoss.toFixed(5)}, ${p.curve.at(-1)!.seconds.toFixed(2)} s\n`) });
const seconds = (performance.now() - started) / 1000;
const best = head.curve[head.bestEpoch - 1]!;
process.stdout.write(`${JSON.stringify({ touched: Number.isFinite(touched), seconds, valAccuracy: best.valAccuracy, epochs: head.curve.length, bestEpoch: head.bestEpoch })}\n`);
