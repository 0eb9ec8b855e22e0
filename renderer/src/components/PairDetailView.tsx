import type { PairDetail } from '../../../electron/common/api.ts';
import type { CurationChange, PairCuration } from '../../../electron/common/curation.ts';
import type { PairPrediction } from '../../../electron/common/evaluation.ts';
import { CurationPanel } from './CurationPanel.tsx';
import { Highlight } from './Highlight.tsx';
import { NeighboursPanel, type NeighbourScopes } from './NeighboursPanel.tsx';
import { pairSubjects, SaliencyPanel } from './SaliencyPanel.tsx';
import { PairImage } from './PairImage.tsx';

export interface PairDetailViewProps {
  /** Opens an item's page: every pair, in every split file, using its caption or image. */
  onOpenItem: (itemId: number) => void;
  /** Opens the caption's out-of-context candidates (the Candidates view). */
  onCandidates: (captionId: number) => void;
  detail: PairDetail;
  query: string | undefined;
  article: { text: string | null; problem: string | null } | null;
  image: (itemId: number) => string;
  thumbnail: (itemId: number) => string;
  /** Names of the embedding sets in this database, and those of random-weight models. */
  embeddingModels: string[];
  /** What a neighbour search can be restricted to. */
  neighbourScopes: NeighbourScopes;
  randomModels: string[];
  curation: PairCuration | null;
  collections: string[];
  onCurate: (change: CurationChange) => void;
  tagInputRef: React.RefObject<HTMLInputElement | null>;
  explain: (itemId: number) => Promise<string | null>;
  onLoadArticle: () => void;
  onClose: () => void;
}

function Copyable({ label, value }: { label: string; value: number | string }) {
  return (
    <button className="chip" title={`Copy ${label}`} onClick={() => void navigator.clipboard?.writeText(String(value))}>
      {label} <code>{value}</code>
    </button>
  );
}

function imageNote(info: PairDetail['pristineImage']): string {
  if (info === null) return '';
  const size = info.width && info.height ? `${info.width}×${info.height}` : '';
  return [info.path, size, info.status && info.status !== 'ok' ? info.status : '', info.detail ?? ''].filter(Boolean).join(' · ');
}

/** A run's answer for a row, in words. */
function answerText(p: PairPrediction): string {
  const label = p.answer === 1 ? 'falsified' : p.answer === 0 ? 'pristine' : p.answer === -1 ? 'abstained' : null;
  const probability = p.probability === null ? null : `p ${p.probability.toFixed(2)}`;
  return [label, probability].filter(Boolean).join(', ');
}

/** Right or wrong, where the run gave a label (a probability alone is shown as it is). */
function answerClass(p: PairPrediction, falsified: boolean): string {
  if (p.answer === null) return '';
  if (p.answer === -1) return 'abstained';
  return (p.answer === 1) === falsified ? 'right' : 'wrong';
}

/** A pair in full: both images large, both captions, article, metadata and ids. */
function fixed(x: number | null): string {
  return x === null ? '—' : x.toFixed(4);
}

export function PairDetailView({ detail, query, article, image, thumbnail, embeddingModels, neighbourScopes, randomModels, curation, collections, onCurate, tagInputRef, explain, onLoadArticle, onClose, onOpenItem, onCandidates }: PairDetailViewProps) {
  const { pair } = detail;
  return (
    <aside className="detail" aria-label="Pair detail">
      <header className="detail-head">
        <h2>Pair {pair.pairId}</h2>
        <button className="close" aria-label="Close detail" onClick={onClose}>✕</button>
      </header>
      <p className="detail-caption"><Highlight text={pair.caption} query={query} /></p>
      {curation && <CurationPanel curation={curation} collections={collections} onChange={onCurate} tagInputRef={tagInputRef} />}
      <div className="detail-images">
        <figure>
          <PairImage itemId={pair.pristine?.imageId ?? null} role="Pristine" caption={pair.caption} src={pair.pristine ? image(pair.pristine.imageId) : null} explain={explain} large />
          <figcaption>
            <span className="label pristine">pristine</span> <span title="similarity_score, as the split file gives it">file similarity {pair.pristine?.similarityScore?.toFixed(4) ?? '—'}</span>
            <br />
            <span className="muted small">{imageNote(detail.pristineImage)}</span>
          </figcaption>
        </figure>
        <figure>
          <PairImage itemId={pair.falsified?.imageId ?? null} role="Falsified" caption={pair.caption} src={pair.falsified ? image(pair.falsified.imageId) : null} explain={explain} large />
          <figcaption>
            <span className="label falsified">falsified</span> <span title="similarity_score, as the split file gives it">file similarity {pair.falsified?.similarityScore?.toFixed(4) ?? '—'}</span>
            <br />
            <span className="muted small">{imageNote(detail.falsifiedImage)}</span>
          </figcaption>
        </figure>
      </div>
      {detail.falsifiedItem && (
        <section>
          <h3>The swapped-in image's own caption</h3>
          <p className="quote" data-testid="original-caption">{detail.falsifiedItem.caption || <em className="muted">(empty caption)</em>}</p>
          <p className="muted small">{detail.falsifiedItem.source} · {detail.falsifiedItem.topic}</p>
        </section>
      )}
      {detail.predictions.length > 0 && (
        <section>
          <h3>Predictions of the imported runs</h3>
          <table className="counts predictions">
            <thead>
              <tr><th>Run</th><th>pristine image</th><th>falsified image</th></tr>
            </thead>
            <tbody>
              {[...new Set(detail.predictions.map((p) => p.run))].map((run) => (
                <tr key={run}>
                  <th scope="row">{run}</th>
                  {[pair.pristine, pair.falsified].map((image, i) => {
                    const p = detail.predictions.find((x) => x.run === run && x.imageId === image?.imageId);
                    return (
                      <td key={i} title={p?.explanation ?? undefined} className={p === undefined ? 'muted' : answerClass(p, i === 1)}>
                        {p === undefined ? 'no row' : answerText(p)}
                        {p?.explanation && <div className="small explanation">{p.explanation}</div>}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {pair.modelScores.length > 0 && (
        <section>
          <h3>Cosine similarity by model</h3>
          <table className="counts model-scores">
            <thead>
              <tr><th>Model</th><th>caption–pristine</th><th>caption–falsified</th><th>caption–caption</th></tr>
            </thead>
            <tbody>
              {pair.modelScores.map((m) => (
                <tr key={m.name}>
                  <th scope="row">{m.name}{randomModels.includes(m.name) && <span className="warning-text" title="random weights: meaningless"> (random)</span>}</th>
                  <td>{fixed(m.pristine)}</td>
                  <td>{fixed(m.falsified)}</td>
                  <td>{fixed(m.textText)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section>
        <h3>Saliency</h3>
        <SaliencyPanel subjects={pairSubjects(pair, image, explain)} resetKey={String(pair.pairId)} />
      </section>
      <section>
        <h3>Neighbours</h3>
        <p className="small">
          <button type="button" className="secondary" onClick={() => onCandidates(pair.captionId)} title="Which images each of the paper's four strategies would swap in for this caption, with the constraints and Algorithm 1's pick">Candidates for this caption…</button>
        </p>
        <NeighboursPanel pair={pair} models={embeddingModels} randomModels={randomModels} thumbnail={thumbnail} explain={explain} onOpenItem={onOpenItem} scopes={neighbourScopes} />
      </section>
      <section className="ids">
        <Copyable label="caption id" value={pair.captionId} />
        {pair.pristine && <Copyable label="pristine image id" value={pair.pristine.imageId} />}
        {pair.falsified && <Copyable label="falsified image id" value={pair.falsified.imageId} />}
        <span className="muted small">{pair.source} · {pair.topic}{pair.sourceDataset ? ` · ${pair.sourceDataset}` : ''}</span>
        <span className="item-links">
          Every pair using:
          {[...new Set([pair.captionId, pair.pristine?.imageId, pair.falsified?.imageId])].flatMap((id) =>
            id === undefined ? [] : [<button key={id} type="button" className="link" onClick={() => onOpenItem(id)}>item {id}</button>],
          )}
        </span>
      </section>
      <section>
        <h3>Article</h3>
        {article === null ? (
          <button className="secondary" onClick={onLoadArticle} disabled={detail.articlePath === null}>{detail.articlePath === null ? 'No article path' : 'Load article text'}</button>
        ) : article.text !== null ? (
          <p className="article">{article.text}</p>
        ) : (
          <p className="muted">{article.problem}</p>
        )}
      </section>
      {detail.metadata.length > 0 && (
        <section>
          <h3>Metadata</h3>
          {detail.metadata.map((m) => (
            <details key={m.subset} open>
              <summary>{m.subset}.json</summary>
              <pre>{JSON.stringify(m.value, null, 2)}</pre>
            </details>
          ))}
        </section>
      )}
    </aside>
  );
}
