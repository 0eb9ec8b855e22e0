import { OocError } from '../../common/errors.ts';
import { appearanceFacts, FETCH_TIMEOUT_MS, parsePlace, type NeighbourHit, type VetResult } from '../../common/vetting.ts';
import { defaultDatabasePath } from '../app-paths.ts';
import { ClipModel } from '../inference/clip.ts';
import { NeighbourSearch } from '../inference/neighbours.ts';
import { listModels, resolveModel } from '../inference/registry.ts';
import { fetchImage } from '../vetting/fetch-image.ts';
import { hashImages } from '../vetting/hash-job.ts';
import { MAX_DISTANCE } from '../vetting/hash-index.ts';
import { DEFAULT_MAX_DISTANCE, MIN_SIMILARITY } from '../vetting/provenance.ts';
import { vet } from '../vetting/vet.ts';
import { optionalString, type Command } from './args.ts';
import { openCommandDatabase } from './database.ts';
import { handleInterrupts } from './interrupt.ts';
import { writeFigures } from './output.ts';
import { writeFileAtomically } from '../atomic-write.ts';
import { caseReport } from '../vetting/report.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const count = (n: number): string => n.toLocaleString('en-US');

export const hashImagesCommand: Command = {
  name: 'hash-images',
  summary: "compute every indexed image's perceptual hash, for finding earlier appearances of new images",
  usage: `ooc hash-images [--retry-failed] [--db <file>] [--json]

  --retry-failed  try again the images that could not be read before
  --db            database file (default: ${defaultDatabasePath()})
  --json          print the summary as JSON

Hashes are kept in the database (about 20 bytes an image); an interrupted run continues where it
stopped, and a later run hashes only images added since. ooc vet uses them.`,
  options: { 'retry-failed': { type: 'boolean' }, db: { type: 'string' }, json: { type: 'boolean' } },
  async run(values) {
    const db = openCommandDatabase(values);
    const controller = new AbortController();
    const stopHandling = handleInterrupts(controller, 'hashing');
    const tty = process.stderr.isTTY === true;
    try {
      const summary = await hashImages(db, {
        retryFailed: values['retry-failed'] === true,
        signal: controller.signal,
        onProgress: ({ done, total }) => {
          if (tty) process.stderr.write(`\rhashing images ${count(done)} / ${count(total)}\x1b[K`);
        },
      });
      if (tty) process.stderr.write('\n');
      if (values.json === true) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        const skipped = Object.entries(summary.skipped).map(([reason, n]) => `${count(n)} ${reason}`);
        process.stdout.write(
          `Hashed ${count(summary.hashed)} images in ${summary.seconds.toFixed(1)} s (${summary.perSecond.toFixed(0)}/s)` +
            `${skipped.length > 0 ? `; skipped: ${skipped.join(', ')}` : ''}${summary.alreadyDone > 0 ? `; ${count(summary.alreadyDone)} done before` : ''}.\n`,
        );
      }
      return 0;
    } finally {
      stopHandling();
      db.close();
    }
  },
};

export function formatVet(result: VetResult): string {
  const lines: string[] = [];
  if (result.caption !== null) lines.push(`Claim: "${result.caption}"`, '');
  for (const { image, nearDuplicates, hashSearch: s, scores, errors, forensics: f } of result.images) {
    lines.push(`${image.name}: ${image.format.toUpperCase()} ${image.width} × ${image.height}, ${count(image.bytes)} bytes, sha256 ${image.sha256}`);
    for (const e of errors) lines.push(`  ${e.part}: failed — ${e.message}`);
    const coverage = s === null ? '' : `${count(s.corpus.hashed)} of ${count(s.corpus.items)} corpus images hashed${s.corpus.failed > 0 ? ` (${count(s.corpus.failed)} unreadable)` : ''}`;
    if (s === null) lines.push('  Earlier appearances: not searched (see the failure above).');
    else if (s.plain) lines.push('  Earlier appearances: not searched — the image is nearly one colour, so every plain image would match it.');
    else if (s.corpus.hashed === 0) lines.push('  Earlier appearances: not searched — the corpus has no hashes yet (run ooc hash-images).');
    else if (nearDuplicates.length === 0) lines.push(`  Earlier appearances: none (${coverage}; ${s.searchMs.toFixed(0)} ms).`);
    else {
      lines.push(`  Earlier appearances (${nearDuplicates.length}; ${coverage}):`);
      for (const d of nearDuplicates) {
        lines.push(`  - item ${d.itemId} (${appearanceFacts(d)}) ${[d.source, d.topic].filter(Boolean).join(' / ')}: "${d.caption}"`);
        if (d.note !== null) lines.push(`      ${d.note}`);
        for (const p of d.pairs.slice(0, 10)) lines.push(`      ${p.split}/${p.subset} pair ${p.pairId}: ${p.role === 'pristine' ? 'its own caption' : `swapped in for caption ${p.captionId}`}: "${p.caption}"`);
        if (d.pairs.length > 10) lines.push(`      … and ${d.pairs.length - 10} more pairs`);
      }
    }
    if (f !== null) {
      const md = f.metadata;
      lines.push(`  File: ${f.format.real.toUpperCase()}${f.format.matches ? '' : ` named .${f.format.extension} (the name does not match the bytes)`}${f.jpeg ? `, JPEG quality ≈ ${f.jpeg.quality}` : ''}${f.ela ? `, error levels up to ${f.ela.maxDifference}` : ''}`);
      if (f.metadataError !== null) lines.push(`    ${f.metadataError}`);
      if (md === null) lines.push('    no EXIF, XMP or IPTC metadata');
      else {
        const facts = [
          md.captured && `taken ${md.captured}`,
          md.modified && `changed ${md.modified}`,
          md.camera && `camera ${md.camera}`,
          md.software && `software ${md.software}`,
          md.gps && `GPS ${md.gps.latitude.toFixed(5)}, ${md.gps.longitude.toFixed(5)}${md.distanceKm === null ? '' : ` (${md.distanceKm.toFixed(1)} km from the place given)`}`,
        ].filter(Boolean);
        lines.push(`    ${facts.length > 0 ? facts.join('; ') : 'metadata without dates, camera, software or GPS'}`);
      }
      if (f.thumbnail !== null) lines.push(`    embedded thumbnail ${f.thumbnail.width} × ${f.thumbnail.height}: ${f.thumbnail.differs ? `shows ANOTHER picture (${f.thumbnail.distance} bits apart) — the image was changed after it was taken` : 'matches the image'}`);
    }
    for (const m of scores) {
      lines.push(`  ${m.model}${m.randomWeights ? ' (random weights: these numbers mean nothing)' : ''}:`);
      if (m.cosine !== null) {
        const p = m.place;
        const where = p === null ? '' : ` — higher than ${p.percentilePristine.toFixed(0)}% of pristine and ${p.percentileFalsified.toFixed(0)}% of falsified pairs of ${p.split}/${p.subset}`;
        lines.push(`    image–claim cosine ${m.cosine.toFixed(3)}${where}`);
      }
      for (const h of m.heads) lines.push(`    head ${h.head}: p(falsified) ${h.probability.toFixed(3)} → ${h.falsified ? 'falsified' : 'pristine'}`);
      const near = (title: string, hits: NeighbourHit[]) => {
        if (hits.length > 0) lines.push(`    ${title}: ${hits.slice(0, 3).map((h) => `item ${h.itemId} (${h.score.toFixed(3)}) "${h.caption}"`).join('; ')}`);
      };
      near('nearest corpus images', m.neighbours.images);
      near('captions nearest the claim', m.neighbours.captions);
      near('images nearest the claim', m.neighbours.claimImages);
      for (const note of m.notes) lines.push(`    (${note})`);
    }
  }
  return lines.join('\n');
}

export const vetCommand: Command = {
  name: 'vet',
  summary: 'gather offline evidence on a new image and the caption claimed for it: earlier appearances in the corpus, …',
  usage: `ooc vet --image <file|url> [--image … ] [--caption "<claim>"] [--model <id> …] [--split <s> [--subset <t>]]
        [--place <lat,lon>] [--max-distance <bits>] [--json <file>|-] [--report <file.html>] [--db <file>]

  --image         an image the corpus may never have seen (any name; its real format is read from its
                  bytes), or an http(s) address to fetch it from (up to 40 MB, 20 s, 5 redirects)
  --caption       the caption claimed for it
  --model         score with this installed model (repeatable; default: every installed model)
  --split         the split file the image–claim score is placed in (default merged_balanced, test)
  --subset        train, val or test (default test)
  --place         "<latitude>,<longitude>" where the claim says the photo was taken: GPS in the file is measured from it
  --max-distance  hash bits that may differ for a near-duplicate, 0–${MAX_DISTANCE} (default ${DEFAULT_MAX_DISTANCE})
  --json          also write the evidence as JSON to this file ("-": standard output only)
  --report        also write a self-contained HTML report (images inside; opens offline)
  --db            database file (default: ${defaultDatabasePath()})

Earlier appearances: corpus images that are the same photo — re-encoded, resized, greyscale,
mirrored or cropped by up to 10% of a side — found by their perceptual hashes (ooc hash-images
computes them) and confirmed by their pixels (correlation ≥ ${MIN_SIMILARITY}), with their caption,
source, topic and every NewsCLIPpings pair that shows them.
Under each model: the image–claim cosine and where it falls among the split file's pristine and
falsified pairs (once the corpus is embedded with that model), the probability from each head
trained on its embeddings (ooc train-head), and the nearest corpus images and captions.`,
  options: {
    image: { type: 'string', multiple: true },
    caption: { type: 'string' },
    model: { type: 'string', multiple: true },
    split: { type: 'string' },
    subset: { type: 'string' },
    place: { type: 'string' },
    report: { type: 'string' }, 'max-distance': { type: 'string' }, json: { type: 'string' }, db: { type: 'string' } },
  async run(values) {
    const files = (values as Record<string, unknown>).image as string[] | undefined;
    if (files === undefined || files.length === 0) throw new OocError('BAD_ARGUMENT', 'missing --image (see: ooc vet --help)');
    const raw = optionalString(values, 'max-distance');
    const maxDistance = raw === undefined ? undefined : Number(raw);
    if (maxDistance !== undefined && !(Number.isInteger(maxDistance) && maxDistance >= 0 && maxDistance <= MAX_DISTANCE)) {
      throw new OocError('BAD_ARGUMENT', `--max-distance must be a whole number from 0 to ${MAX_DISTANCE}, got "${raw}"`);
    }
    const placeText = optionalString(values, 'place');
    const place = placeText === undefined ? undefined : (parsePlace(placeText) ?? undefined);
    if (placeText !== undefined && place === undefined) throw new OocError('BAD_ARGUMENT', `--place must be "<latitude>,<longitude>" in degrees (e.g. "39.47,-0.38"), got "${placeText}"`);
    const reportFile = optionalString(values, 'report');
    const specs = (values as Record<string, unknown>).model as string[] | undefined;
    const installed = specs === undefined ? (await listModels()).models : await Promise.all(specs.map((spec) => resolveModel(spec)));
    const db = openCommandDatabase(values);
    const clips = installed.map((model) => new ClipModel(model, 'auto'));
    const search = new NeighbourSearch(db);
    try {
      const [caption, split, subset] = [optionalString(values, 'caption'), optionalString(values, 'split'), optionalString(values, 'subset')];
      const sources = await Promise.all(files.map(async (file) => (/^https?:\/\//i.test(file) ? await fetchImage(file, { timeoutMs: FETCH_TIMEOUT_MS }) : { file })));
      const result = await vet(
        db,
        { images: sources, ...(caption === undefined ? {} : { caption }), ...(maxDistance === undefined ? {} : { maxDistance }), ...(split === undefined ? {} : { split }), ...(subset === undefined ? {} : { subset }), ...(place === undefined ? {} : { place }) },
        { clips, search },
      );
      writeFigures(values, result, formatVet(result));
      if (reportFile !== undefined) {
        const images = result.images.map((evidence, i) => {
          const source = sources[i]!;
          return 'file' in source ? { bytes: readFileSync(source.file), source: null, evidence, name: evidence.image.name } : { bytes: source.bytes, source: source.url, evidence, name: source.name };
        });
        const title = `Vetting of ${result.images.map((r) => r.image.name).join(', ')}`;
        const { html } = await caseReport(db, { title, claim: result.caption, notes: '', verdict: null, place: place ?? null, pins: [], images }, 'OOC Workbench (ooc vet)');
        writeFileAtomically(path.resolve(reportFile), html);
        process.stderr.write(`Wrote the report to ${path.resolve(reportFile)}\n`);
      }
      return 0;
    } finally {
      await search.release();
      for (const clip of clips) await clip.release();
      db.close();
    }
  },
};
