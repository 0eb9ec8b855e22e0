import { appearanceFacts, type Forensics, type ModelEvidence, type NearDuplicate, type NeighbourHit, type VetImageResult } from '../../../electron/common/vetting.ts';
import { useState } from 'react';
import { thumbnailUrl } from '../api/client.ts';
import { Magnified, type LensAt } from '../components/Magnifier.tsx';
import { countOf, formatCount } from '../format.ts';

/** What opening or pinning a corpus item or pair from the evidence does. */
export interface EvidenceActions {
  openItem: (itemId: number) => void;
  openPair: (split: string, subset: string, pairId: number) => void;
  pin: (target: string, label: string) => void;
  pinned: ReadonlySet<string>;
}

const pct = (x: number): string => `${x.toFixed(0)}%`;

function PinButton({ target, label, actions }: { target: string; label: string; actions: EvidenceActions }) {
  const pinned = actions.pinned.has(target);
  return (
    <button type="button" className="link small" disabled={pinned} onClick={() => actions.pin(target, label)} aria-label={pinned ? `${label} (pinned)` : `Pin ${label}`}>
      {pinned ? 'pinned' : 'pin'}
    </button>
  );
}

function Appearance({ d, actions }: { d: NearDuplicate; actions: EvidenceActions }) {
  return (
    <li className="appearance">
      <img loading="lazy" src={thumbnailUrl(d.itemId, 128)} alt={`Corpus image of item ${d.itemId}`} />
      <div>
        <p className="caption-line">
          <button type="button" className="link" onClick={() => actions.openItem(d.itemId)}>
            Item {d.itemId}
          </button>{' '}
          {[d.source, d.topic].filter(Boolean).join(' / ')}: “{d.caption}”
          <PinButton target={`item:${d.itemId}`} label={`item ${d.itemId}, an earlier appearance`} actions={actions} />
        </p>
        <p className="small muted" title={d.published?.from}>{appearanceFacts(d)}</p>
        {d.note !== null && <p className="small warning">{d.note}</p>}
        {d.pairs.length > 0 && (
          <ul className="uses small">
            {d.pairs.slice(0, 8).map((p) => (
              <li key={`${p.pairId}`}>
                <button type="button" className="link" onClick={() => actions.openPair(p.split, p.subset, p.pairId)}>
                  {p.split}/{p.subset}
                </button>{' '}
                {p.role === 'pristine' ? 'with its own caption' : `swapped in for “${p.caption}”`}
              </li>
            ))}
            {d.pairs.length > 8 && <li className="muted">and {d.pairs.length - 8} more pairs</li>}
          </ul>
        )}
      </div>
    </li>
  );
}

function Earlier({ result, actions }: { result: VetImageResult; actions: EvidenceActions }) {
  const s = result.hashSearch;
  let summary: string;
  if (s === null) summary = 'Not searched: see the failure above.';
  else if (s.plain) summary = 'Not searched: the image is nearly one colour, so every plain image would match it.';
  else if (s.corpus.hashed === 0) summary = 'Not searched: the corpus images have no hashes yet (Hash the corpus, above).';
  else summary = `${result.nearDuplicates.length === 0 ? 'None found' : countOf(result.nearDuplicates.length, 'earlier appearance')} among ${formatCount(s.corpus.hashed)} hashed corpus images${s.corpus.hashed < s.corpus.items ? ` of ${formatCount(s.corpus.items)}` : ''} (${s.searchMs.toFixed(0)} ms).`;
  return (
    <section className="evidence-part" aria-label="Earlier appearances">
      <h4>Earlier appearances in the corpus</h4>
      <p className="small muted">{summary} The same photo re-encoded, resized, in greyscale, mirrored or cropped by up to 10% is found.</p>
      {result.nearDuplicates.length > 0 && (
        <ul className="appearances">
          {result.nearDuplicates.map((d) => (
            <Appearance key={d.itemId} d={d} actions={actions} />
          ))}
        </ul>
      )}
    </section>
  );
}

function Hits({ title, hits, actions }: { title: string; hits: NeighbourHit[]; actions: EvidenceActions }) {
  if (hits.length === 0) return null;
  return (
    <div className="hits">
      <h5>{title}</h5>
      <ol>
        {hits.slice(0, 5).map((h) => (
          <li key={h.itemId}>
            <button type="button" className="link" onClick={() => actions.openItem(h.itemId)}>
              {h.itemId}
            </button>{' '}
            <span className="muted">{h.score.toFixed(3)}</span> {h.caption}
          </li>
        ))}
      </ol>
    </div>
  );
}

function Consistency({ m, actions }: { m: ModelEvidence; actions: EvidenceActions }) {
  const p = m.place;
  return (
    <section className="evidence-part" aria-label={`Consistency under ${m.model}`}>
      <h4>
        {m.model} {m.randomWeights && <span className="badge warn">random weights: meaningless</span>}
      </h4>
      {m.cosine === null ? (
        <p className="small muted">No claim: type the caption claimed for the image to score it.</p>
      ) : (
        <p data-testid="consistency">
          Image–claim similarity <strong>{m.cosine.toFixed(3)}</strong>
          {p !== null && (
            <>
              {' '}
              — higher than <strong>{pct(p.percentilePristine)}</strong> of pristine and <strong>{pct(p.percentileFalsified)}</strong> of falsified pairs of {p.split}/{p.subset}
            </>
          )}
        </p>
      )}
      {m.heads.map((h) => (
        <p key={h.head} className="small">
          Head {h.head}: p(falsified) {h.probability.toFixed(3)} → <strong>{h.falsified ? 'falsified' : 'pristine'}</strong>
        </p>
      ))}
      <div className="hit-lists">
        <Hits title="Corpus images most like it" hits={m.neighbours.images} actions={actions} />
        <Hits title="Captions most like the claim" hits={m.neighbours.captions} actions={actions} />
        <Hits title="Images most like the claim" hits={m.neighbours.claimImages} actions={actions} />
      </div>
      {m.notes.map((note) => (
        <p key={note} className="small muted">
          {note}
        </p>
      ))}
    </section>
  );
}

function FileForensics({ f, preview }: { f: Forensics; preview: string | null }) {
  const [lens, setLens] = useState<LensAt | null>(null);
  const md = f.metadata;
  const facts: [string, string | null][] = md === null ? [] : [
    ['Taken', md.captured],
    ['Changed', md.modified],
    ['Camera', md.camera],
    ['Software', md.software],
    ['Orientation', md.orientation],
    ['GPS', md.gps && `${md.gps.latitude.toFixed(5)}, ${md.gps.longitude.toFixed(5)}${md.gps.altitude === null ? '' : ` · ${md.gps.altitude} m`}${md.distanceKm === null ? '' : ` · ${md.distanceKm.toFixed(1)} km from the place given`}`],
  ];
  return (
    <section className="evidence-part" aria-label="The file itself">
      <h4>The file itself</h4>
      <p className="small">
        {f.format.real.toUpperCase()}
        {!f.format.matches && <span className="warning-text"> named .{f.format.extension}: the name does not match the bytes</span>}
        {f.jpeg && ` · JPEG quality ≈ ${f.jpeg.quality} (from its quantisation tables)`}
      </p>
      {f.metadataError && <p className="small warning">{f.metadataError}</p>}
      {md === null ? (
        <p className="small muted">No EXIF, XMP or IPTC metadata (news sites and messengers usually strip it).</p>
      ) : (
        <>
          <dl className="facts small">
            {facts
              .filter(([, value]) => value !== null)
              .map(([name, value]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
          </dl>
          <details className="small">
            <summary>Every metadata field</summary>
            {Object.entries(md.fields).map(([block, fields]) => (
              <table key={block} className="fields" aria-label={`Metadata: ${block}`}>
                <caption>{block}</caption>
                <tbody>
                  {Object.entries(fields).map(([k, v]) => (
                    <tr key={k}>
                      <th>{k}</th>
                      <td>{v}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ))}
          </details>
        </>
      )}
      <div className="forensic-images">
        {preview && f.ela && (
          <figure>
            <Magnified src={preview} alt="The image" lens={lens} onLens={setLens} />
            <figcaption className="small muted">The image. Hover either picture to magnify the same spot in both.</figcaption>
          </figure>
        )}
        {f.ela && (
          <figure>
            <Magnified src={f.ela.dataUrl} alt="Error levels of the image" lens={lens} onLens={setLens} />
            <figcaption className="small muted">Error levels: the difference from a re-save at quality 90, ×20 (largest {f.ela.maxDifference}). Pasted or retouched regions often stand out.</figcaption>
          </figure>
        )}
        {f.thumbnail && (
          <figure>
            <img src={f.thumbnail.dataUrl} alt="The thumbnail embedded in the file" />
            <figcaption className={f.thumbnail.differs ? 'small warning' : 'small muted'}>
              Embedded thumbnail, {f.thumbnail.width} × {f.thumbnail.height}: {f.thumbnail.differs ? `it shows another picture (${f.thumbnail.distance} bits apart) — the image was changed after the camera wrote it` : 'the same picture'}
            </figcaption>
          </figure>
        )}
      </div>
    </section>
  );
}

/** Every part of one image's evidence; a part that failed says why, the others stand. */
export function Evidence({ result, actions, preview }: { result: VetImageResult; actions: EvidenceActions; preview: string | null }) {
  return (
    <div className="evidence">
      {result.errors.map((e) => (
        <p key={e.part} className="error" role="alert">
          {e.part}: {e.message}
        </p>
      ))}
      <Earlier result={result} actions={actions} />
      {result.forensics && <FileForensics f={result.forensics} preview={preview} />}
      {result.scores.map((m) => (
        <Consistency key={m.model} m={m} actions={actions} />
      ))}
    </div>
  );
}
