// Writes planted embeddings for the heads benchmark (test/fixtures/embeddings.ts): train and val
// pairs' vectors in one image and one caption matrix, and each subset's rows, as raw files that
// the trainer's probe and scikit-learn's script both read.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { plantedPairs } from '../../test/fixtures/embeddings.ts';

const [dir, trainPairs, valPairs, signal] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const dim = 512;
mkdirSync(dir, { recursive: true });
const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const train = plantedPairs({ pairs: trainPairs, dim, signal, seed: 1 });
const val = plantedPairs({ pairs: valPairs, dim, signal, seed: 2 });
writeFileSync(path.join(dir, 'images.f32'), bytes(train.images));
writeFileSync(path.join(dir, 'images.f32'), bytes(val.images), { flag: 'a' });
writeFileSync(path.join(dir, 'texts.f32'), bytes(train.texts));
writeFileSync(path.join(dir, 'texts.f32'), bytes(val.texts), { flag: 'a' });
for (const [subset, planted, offset] of [['train', train, 0], ['val', val, trainPairs]] as const) {
  writeFileSync(path.join(dir, `${subset}-image.i32`), bytes(planted.rows.image.map((r) => r + offset)));
  writeFileSync(path.join(dir, `${subset}-text.i32`), bytes(planted.rows.text.map((r) => r + offset)));
  writeFileSync(path.join(dir, `${subset}-label.u8`), planted.rows.label);
}
writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ dim, pairs: trainPairs + valPairs, signal }));
process.stdout.write(`${JSON.stringify({ trainRows: 2 * trainPairs, valRows: 2 * valPairs })}\n`);
