import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Explanation } from '../../common/saliency.ts';
import { appearanceFacts, type CasePin, type ModelEvidence, type NearDuplicate, type VetImageResult } from '../../common/vetting.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import { mimeType } from '../images/formats.ts';
import { listModels } from '../inference/registry.ts';
import type { Db } from '../store/db.ts';
import { getItem } from '../store/items.ts';
import { getRoots } from '../store/roots.ts';

/** What a report is made of: a case, or one `ooc vet` run. */
export interface ReportInput {
  title: string;
  claim: string | null;
  notes: string;
  verdict: string | null;
  place: { latitude: number; longitude: number } | null;
  pins: CasePin[];
  images: { bytes: Buffer; source: string | null; evidence: VetImageResult | null; name: string; saliency?: ReportSaliency[] }[];
}

/** A saliency map computed for an image against the claim, with the image under its heatmap (PNG data URL). */
export interface ReportSaliency {
  explanation: Explanation;
  overlay: string | null;
}

export interface CaseReport {
  generatedAt: string;
  app: string;
  models: { id: string; manifestSha256: string; randomWeights: boolean }[];
  case: Omit<ReportInput, 'images'>;
  images: { name: string; sha256: string; source: string | null; evidence: VetImageResult | null; saliency: Explanation[] }[];
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The models installed now, each with the sha256 of its manifest (which names and hashes its files). */
async function modelsUsed(): Promise<CaseReport['models']> {
  const { models } = await listModels();
  return models.map((m) => ({
    id: m.manifest.id,
    manifestSha256: createHash('sha256').update(readFileSync(path.join(m.dir, 'manifest.json'))).digest('hex'),
    randomWeights: !m.manifest.weights.meaningfulScores,
  }));
}

/** A corpus image as a small JPEG data URL, read only from inside the dataset folder; null when it cannot be read. */
async function corpusThumbnail(db: Db, itemId: number): Promise<string | null> {
  try {
    const item = getItem(db, itemId);
    const root = getRoots(db).visualnews;
    if (item?.image_path == null || root === undefined) return null;
    const jpeg = await sharp(resolveInRoot(root, item.image_path), { animated: false }).rotate().resize(200, 200, { fit: 'inside' }).jpeg({ quality: 80 }).toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  } catch {
    return null;
  }
}

function appearance(d: NearDuplicate, thumb: string | null): string {
  const uses = d.pairs.map((p) => `<li>${escape(`${p.split}/${p.subset} pair ${p.pairId}: `)}${p.role === 'pristine' ? 'with its own caption' : `swapped in for “${escape(p.caption)}”`}</li>`).join('');
  return `<div class="appearance">${thumb ? `<img src="${thumb}" alt="corpus item ${d.itemId}">` : '<div class="missing">image not readable</div>'}<div><p><b>Item ${d.itemId}</b> ${escape([d.source, d.topic].filter(Boolean).join(' / '))}: “${escape(d.caption)}”</p><p class="muted">${escape(appearanceFacts(d))}</p>${d.note ? `<p class="warn">${escape(d.note)}</p>` : ''}${uses ? `<ul>${uses}</ul>` : ''}</div></div>`;
}

function modelSection(m: ModelEvidence): string {
  const p = m.place;
  const score =
    m.cosine === null
      ? '<p class="muted">No claim was given.</p>'
      : `<p>Image–claim similarity <b>${m.cosine.toFixed(3)}</b>${p ? ` — higher than <b>${p.percentilePristine.toFixed(0)}%</b> of pristine and <b>${p.percentileFalsified.toFixed(0)}%</b> of falsified pairs of ${escape(`${p.split}/${p.subset}`)} (${p.pristinePairs} and ${p.falsifiedPairs} pairs)` : ''}</p>`;
  const heads = m.heads.map((h) => `<li>Head ${escape(h.head)}: p(falsified) ${h.probability.toFixed(3)} → ${h.falsified ? 'falsified' : 'pristine'}</li>`).join('');
  const hits = (title: string, list: { itemId: number; score: number; caption: string }[]) =>
    list.length === 0 ? '' : `<div><h5>${title}</h5><ol>${list.map((h) => `<li>item ${h.itemId} (${h.score.toFixed(3)}) ${escape(h.caption)}</li>`).join('')}</ol></div>`;
  return `<section><h4>${escape(m.model)}${m.randomWeights ? ' <span class="warn">random weights: these numbers mean nothing</span>' : ''}</h4>${score}${heads ? `<ul>${heads}</ul>` : ''}<div class="cols">${hits('Corpus images most like it', m.neighbours.images)}${hits('Captions most like the claim', m.neighbours.captions)}${hits('Images most like the claim', m.neighbours.claimImages)}</div>${m.notes.map((n) => `<p class="muted">${escape(n)}</p>`).join('')}</section>`;
}

function forensicsSection(e: VetImageResult): string {
  const f = e.forensics;
  if (f === null) return '';
  const md = f.metadata;
  const facts: [string, string | null][] =
    md === null
      ? []
      : [
          ['Taken', md.captured],
          ['Changed', md.modified],
          ['Camera', md.camera],
          ['Software', md.software],
          ['GPS', md.gps && `${md.gps.latitude.toFixed(5)}, ${md.gps.longitude.toFixed(5)}${md.distanceKm === null ? '' : ` (${md.distanceKm.toFixed(1)} km from the claimed place)`}`],
        ];
  const rows = facts.filter(([, v]) => v !== null).map(([k, v]) => `<tr><th>${k}</th><td>${escape(v!)}</td></tr>`).join('');
  return `<section><h4>The file itself</h4><p>${escape(f.format.real.toUpperCase())}${f.format.matches ? '' : ` <span class="warn">named .${escape(f.format.extension ?? '')}: the name does not match the bytes</span>`}${f.jpeg ? ` · JPEG quality ≈ ${f.jpeg.quality}` : ''}</p>${f.metadataError ? `<p class="warn">${escape(f.metadataError)}</p>` : ''}${md === null ? '<p class="muted">No EXIF, XMP or IPTC metadata.</p>' : `<table>${rows}</table>`}<div class="cols">${f.ela ? `<figure><img src="${f.ela.dataUrl}" alt="error levels"><figcaption>Error levels (re-saved at quality 90, ×20; largest ${f.ela.maxDifference})</figcaption></figure>` : ''}${f.thumbnail ? `<figure><img src="${f.thumbnail.dataUrl}" alt="embedded thumbnail"><figcaption class="${f.thumbnail.differs ? 'warn' : ''}">Embedded thumbnail: ${f.thumbnail.differs ? 'shows another picture' : 'the same picture'} (${f.thumbnail.distance} bits apart)</figcaption></figure>` : ''}</div></section>`;
}

function saliencySection(maps: ReportSaliency[]): string {
  if (maps.length === 0) return '';
  const figure = ({ explanation: x, overlay }: ReportSaliency): string => {
    const words = [...x.tokens].sort((a, b) => b.score - a.score).slice(0, 5).map((t) => `${escape(t.text)} (${t.score >= 0 ? '−' : '+'}${Math.abs(t.score).toFixed(3)})`).join(', ');
    const deletion = x.deletion ? ` · deletion AUC ${x.deletion.auc.toFixed(3)} (random ${x.deletion.randomAuc.toFixed(3)})` : '';
    return `<figure>${overlay ? `<img src="${overlay}" alt="${escape(x.method)} saliency map">` : ''}<figcaption>${escape(x.method)} under ${escape(x.model)}${x.meaningful ? '' : ' <span class="warn">(random weights: meaningless)</span>'}: cosine ${x.score.toFixed(4)}${deletion}. Words whose removal lowers the score most: ${words || 'none'}.</figcaption></figure>`;
  };
  return `<section><h4>Saliency against the claim</h4><div class="cols">${maps.map(figure).join('')}</div></section>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;color:#1d2330;max-width:1100px;margin:24px auto;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;border-bottom:1px solid #dfe3ea;padding-bottom:4px;margin-top:28px}h4{margin:16px 0 4px}h5{margin:6px 0 2px;color:#687083}
.muted{color:#687083}.warn{color:#a11}.head{display:grid;grid-template-columns:320px 1fr;gap:16px}.head img{max-width:100%}
.appearance{display:grid;grid-template-columns:120px 1fr;gap:10px;margin:8px 0}.appearance img{max-width:120px}.appearance p{margin:0}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:12px}figure{margin:0;max-width:360px}figure img{max-width:100%}
table{border-collapse:collapse}th{text-align:left;color:#687083;font-weight:400;padding-right:12px}code{overflow-wrap:anywhere}
@media print{body{margin:0}}`;

/**
 * A case as one self-contained HTML file (every image inside it, no scripts, nothing fetched:
 * it opens offline in any browser) and the same facts as JSON.
 */
export async function caseReport(db: Db, input: ReportInput, app: string): Promise<{ html: string; json: CaseReport }> {
  const generatedAt = new Date().toISOString();
  const models = await modelsUsed();
  const images: CaseReport['images'] = [];
  const sections: string[] = [];
  for (const image of input.images) {
    const sha256 = image.evidence?.image.sha256 ?? createHash('sha256').update(image.bytes).digest('hex');
    const e = image.evidence;
    images.push({ name: image.name, sha256, source: image.source, evidence: e, saliency: (image.saliency ?? []).map((m) => m.explanation) });
    const format = e?.image.format ?? 'jpeg';
    const picture = image.bytes.length === 0 ? '<p class="warn">The stored copy of this image is missing.</p>' : `<img src="data:${mimeType(format)};base64,${image.bytes.toString('base64')}" alt="${escape(image.name)}">`;
    const thumbs = await Promise.all((e?.nearDuplicates ?? []).map((d) => corpusThumbnail(db, d.itemId)));
    const earlier =
      e === null
        ? '<p class="muted">Not vetted yet.</p>'
        : e.hashSearch === null || e.hashSearch.plain || e.hashSearch.corpus.hashed === 0
          ? '<p class="muted">Not searched.</p>'
          : `<p>${e.nearDuplicates.length} earlier appearance(s) among ${e.hashSearch.corpus.hashed} hashed corpus images of ${e.hashSearch.corpus.items}.</p>${e.nearDuplicates.map((d, i) => appearance(d, thumbs[i]!)).join('')}`;
    sections.push(
      `<h2>${escape(image.name)}</h2><div class="head">${picture}<div><p>${e ? `${escape(e.image.format.toUpperCase())} · ${e.image.width} × ${e.image.height} · ${e.image.bytes} bytes` : ''}</p><p>sha256 <code>${sha256}</code></p>${image.source ? `<p>From <code>${escape(image.source)}</code></p>` : ''}</div></div>` +
        `${(e?.errors ?? []).map((x) => `<p class="warn">${escape(x.part)}: ${escape(x.message)}</p>`).join('')}<section><h4>Earlier appearances in the corpus</h4>${earlier}</section>${e ? forensicsSection(e) : ''}${(e?.scores ?? []).map(modelSection).join('')}${saliencySection(image.saliency ?? [])}`,
    );
  }
  const facts = { title: input.title, claim: input.claim, notes: input.notes, verdict: input.verdict, place: input.place, pins: input.pins };
  const json: CaseReport = { generatedAt, app, models, case: facts, images };
  const pins = input.pins.map((p) => `<li>${escape(p.target)}: ${escape(p.label)}</li>`).join('');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escape(input.title)} — OOC Workbench case report</title><style>${STYLE}</style></head>
<body><h1>${escape(input.title)}</h1>
<p><b>Claim:</b> ${input.claim ? `“${escape(input.claim)}”` : '<span class="muted">none given</span>'}</p>
${input.place ? `<p><b>Claimed place:</b> ${input.place.latitude}, ${input.place.longitude}</p>` : ''}
<p><b>Verdict:</b> ${input.verdict ? escape(input.verdict) : '<span class="muted">not decided</span>'}</p>
${input.notes.trim() ? `<h2>Notes</h2><p style="white-space:pre-wrap">${escape(input.notes)}</p>` : ''}
${pins ? `<h2>Pinned evidence</h2><ul>${pins}</ul>` : ''}
${sections.join('\n')}
<h2>How this was made</h2>
<p class="muted">Generated ${generatedAt} by ${escape(app)}, offline, against the indexed corpus. Models: ${models.map((m) => `${escape(m.id)} (manifest sha256 <code>${m.manifestSha256}</code>${m.randomWeights ? ', random weights' : ''})`).join('; ') || 'none'}.</p>
</body></html>
`;
  return { html, json };
}
