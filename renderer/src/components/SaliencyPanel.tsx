import { useEffect, useState, type ReactNode } from 'react';
import type { ApiOutput } from '../../../electron/common/api.ts';
import type { Colormap, SaliencyMethod, TokenScore } from '../../../electron/common/saliency.ts';
import type { PairSummary } from '../../../electron/common/pairs.ts';
import { call, type ApiError } from '../api/client.ts';
import { useJobs } from '../state/jobs.ts';
import { PairImage } from './PairImage.tsx';
import { describeError } from '../errors.ts';

type Explained = ApiOutput<'cases.explain'>;

const METHODS: { value: SaliencyMethod; label: string }[] = [
  { value: 'occlusion', label: 'occlusion (7×7)' },
  { value: 'chefer', label: 'attention relevance (Chefer)' },
  { value: 'rise', label: 'RISE (500 masks)' },
  { value: 'lime', label: 'LIME (500 samples)' },
  { value: 'words', label: 'word deletion' },
];
const COLOURS: Colormap[] = ['jet', 'viridis', 'inferno', 'gray'];

/** Caption words shaded by how much the score drops without them. */
function Words({ tokens }: { tokens: TokenScore[] }) {
  const top = Math.max(1e-9, ...tokens.map((t) => Math.abs(t.score)));
  return (
    <p className="words">
      {tokens.map((t, i) => (
        <span
          key={i}
          title={`without it the score ${t.score >= 0 ? 'drops' : 'rises'} by ${Math.abs(t.score).toFixed(4)}`}
          style={{ background: t.score >= 0 ? `rgba(214, 48, 39, ${(0.6 * t.score) / top})` : `rgba(49, 104, 214, ${(0.6 * -t.score) / top})` }}
        >
          {t.text}
        </span>
      ))}
    </p>
  );
}

/** One image to explain against a caption: how to show it, and the calls that explain it. */
export interface SaliencySubject {
  /** Names the figure ("Saliency of the pristine image"). */
  label: string;
  /** A coloured label (pristine, falsified), or none. */
  tag?: 'pristine' | 'falsified';
  /** The image, filling the square (object-fit: cover shows the centre the model sees). */
  image: ReactNode;
  explain(method: SaliencyMethod, colormap: Colormap, requestId: string): Promise<Explained>;
  png(method: SaliencyMethod, colormap: Colormap, opacity: number): Promise<{ png: string; filename: string }>;
}

/** A pair's caption against its pristine image and against the swapped-in one. */
export function pairSubjects(pair: PairSummary, image: (itemId: number) => string, explainImage: (itemId: number) => Promise<string | null>): SaliencySubject[] {
  const sides = ([
    { label: 'pristine', role: 'Pristine', imageId: pair.pristine?.imageId },
    { label: 'falsified', role: 'Falsified', imageId: pair.falsified?.imageId },
  ] as const).filter((s): s is typeof s & { imageId: number } => s.imageId !== undefined);
  return sides.map((side) => ({
    label: `${side.label} image`,
    tag: side.label,
    image: <PairImage itemId={side.imageId} role={side.role} caption={pair.caption} src={image(side.imageId)} explain={explainImage} large purpose="(saliency)" />,
    explain: (method, colormap, requestId) => call('saliency.explain', { imageId: side.imageId, captionId: pair.captionId, method, colormap, requestId }),
    png: (method, colormap, opacity) => call('saliency.png', { imageId: side.imageId, captionId: pair.captionId, method, colormap, opacity }),
  }));
}

/**
 * A caption explained against one image or several side by side: heatmaps over the model's view
 * of each image, words shaded by relevance, and the deletion curve's area against a random order.
 * `resetKey` names what is explained: when it changes, the results shown are dropped.
 */
export function SaliencyPanel({ subjects, resetKey, disabled }: { subjects: SaliencySubject[]; resetKey: string; disabled?: string | null }) {
  const [method, setMethod] = useState<SaliencyMethod>('occlusion');
  const [colormap, setColormap] = useState<Colormap>('jet');
  const [opacity, setOpacity] = useState(0.5);
  const [results, setResults] = useState<Record<string, Explained | { error: string } | { running: string }>>({});
  const jobs = useJobs();
  useEffect(() => setResults({}), [resetKey, method]);

  const explain = (recolour = false): void => {
    for (const subject of subjects) {
      const requestId = `${resetKey}-${subject.label}-${method}-${Date.now()}`.replace(/\s+/g, '-');
      if (!recolour) setResults((r) => ({ ...r, [subject.label]: { running: requestId } }));
      subject.explain(method, colormap, requestId).then(
        (value) => setResults((r) => ({ ...r, [subject.label]: value })),
        (err: ApiError) => setResults((r) => ({ ...r, [subject.label]: { error: describeError(err) } })),
      );
    }
  };
  const shown = Object.values(results).some((r) => 'heatmap' in r && r.heatmap !== null);
  const busy = Object.values(results).some((r) => 'running' in r);
  // How far a map has got, as the job pushes it.
  const progressOf = (requestId: string): { done: number; total: number } | null => (jobs.find((j) => j.id === requestId)?.progress as { done: number; total: number } | null | undefined) ?? null;
  useEffect(() => {
    if (shown) explain(true);
    // Only a new colour map redraws; the maps themselves come from the cache.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [colormap]);

  const save = (subject: SaliencySubject): void => {
    void subject.png(method, colormap, opacity).then(({ png, filename }) => {
      const a = document.createElement('a');
      a.href = png;
      a.download = filename;
      a.click();
    });
  };
  const first = Object.values(results).find((r): r is Explained => 'heatmap' in r);
  return (
    <div className="saliency">
      <div className="saliency-controls">
        <select aria-label="Saliency method" value={method} onChange={(e) => setMethod(e.target.value as SaliencyMethod)}>
          {METHODS.map((m) => (
            <option key={m.value} value={m.value}>{m.label}</option>
          ))}
        </select>
        <select aria-label="Colour map" disabled={method === 'words'} value={colormap} onChange={(e) => setColormap(e.target.value as Colormap)}>
          {COLOURS.map((c) => (
            <option key={c} value={c}>{c}</option>
          ))}
        </select>
        <label className="small">
          opacity <input aria-label="Heatmap opacity" disabled={method === 'words'} type="range" min={0} max={1} step={0.05} value={opacity} onChange={(e) => setOpacity(Number(e.target.value))} />
        </label>
        <button onClick={() => explain()} disabled={busy || (disabled ?? null) !== null} title={disabled ?? undefined}>Explain</button>
        {disabled && <span className="muted small">{disabled}</span>}
      </div>
      {first && !first.meaningful && <p className="warning small">{first.model} has random weights: these maps mean nothing.</p>}
      <div className="detail-images">
        {subjects.map((subject) => {
          const r = results[subject.label];
          return (
            <figure key={subject.label} aria-label={`Saliency of the ${subject.label}`}>
              <div className="saliency-view">
                {subject.image}
                {r && 'heatmap' in r && r.heatmap !== null && <img className="heat" src={r.heatmap} alt="" style={{ opacity }} />}
                {r && 'running' in r && (
                  <span className="computing" role="status">
                    Computing… {(progressOf(r.running)?.total ?? 0) > 0 && <progress max={progressOf(r.running)!.total} value={progressOf(r.running)!.done} aria-label={`Saliency progress, ${subject.label}`} />}
                  </span>
                )}
              </div>
              <figcaption className="small">
                {subject.tag && <><span className={`label ${subject.tag}`}>{subject.tag}</span>{' '}</>}
                {r && 'heatmap' in r && (
                  <>
                    <span title={`Cosine similarity of the caption and this image under ${r.model}`}>{r.model} cosine {r.score.toFixed(4)}</span>
                    {r.deletion && (
                      <span title="Area under the score as the most relevant cells are removed, against a random order: lower means the map finds what matters">
                        {' '}· deletion AUC {r.deletion.auc.toFixed(3)} (random {r.deletion.randomAuc.toFixed(3)})
                      </span>
                    )}{' '}
                    · {r.cached ? 'cached' : `${r.seconds.toFixed(1)} s`}{' '}
                    {r.heatmap === null ? (
                      <span className="muted">· words only: word deletion draws no image map</span>
                    ) : (
                      <button className="link" onClick={() => save(subject)}>Save PNG</button>
                    )}
                    <Words tokens={r.tokens} />
                  </>
                )}
                {r && 'error' in r && <span className="error saliency-error" role="alert">{r.error}</span>}
              </figcaption>
            </figure>
          );
        })}
      </div>
    </div>
  );
}
