import { useCallback, useEffect, useLayoutEffect, useState, type ReactNode } from 'react';
import type { Overview } from '../../../electron/common/api.ts';
import { DGM4_VERDICT_NAMES, dgm4Words, type Dgm4Detail, type Dgm4Page, type Dgm4Sample } from '../../../electron/common/dgm4.ts';
import type { CurationChange, PairCuration } from '../../../electron/common/curation.ts';

/** What an edit of DGM4 samples may change (collections hold NewsCLIPpings pairs). */
type SampleChange = Omit<CurationChange, 'addToCollection' | 'removeFromCollection'>;
import { call, dgm4ImageUrl, imageUrl, type ApiError } from '../api/client.ts';
import { describeError } from '../errors.ts';
import { formatCount, VERDICTS } from '../format.ts';
import { saveText } from '../save-file.ts';
import { BulkBar } from '../components/BulkBar.tsx';
import { CurationPanel } from '../components/CurationPanel.tsx';
import type { UpdateView, ViewState, ViewUpdate } from '../state/view-state.ts';

const PAGE = 60;
const KINDS = [
  { value: 'single', label: 'one manipulation' },
  { value: 'mixed', label: 'image and text manipulated' },
  { value: 'image', label: 'image manipulated' },
  { value: 'text', label: 'text manipulated' },
] as const;
/** fake_cls in words: "face_swap&text_attribute" → "face swap + text attribute". */
const className = (cls: string): string => (cls === 'orig' ? 'pristine' : cls.replace(/_/g, ' ').replace(/&/g, ' + '));

/**
 * The image with the manipulated face's box drawn where the metadata puts it (and MTCNN's faces,
 * dashed, if asked): an SVG in the image's own pixel coordinates over it, both fitted the same way.
 */
export function Dgm4Picture({ sample, faces = false, large = false }: { sample: Dgm4Sample; faces?: boolean; large?: boolean }) {
  const rect = ([x1, y1, x2, y2]: number[], className: string, key?: number) => <rect key={key} className={className} x={x1} y={y1} width={x2! - x1!} height={y2! - y1!} vectorEffect="non-scaling-stroke" />;
  return (
    <div className={large ? 'dgm4-picture large' : 'dgm4-picture'} style={large ? { aspectRatio: `${sample.width} / ${sample.height}` } : undefined}>
      <img loading="lazy" src={dgm4ImageUrl(sample.split, sample.position)} alt={`DGM4 sample ${sample.id} (${className(sample.fakeCls)})`} />
      <svg viewBox={`0 0 ${sample.width} ${sample.height}`} preserveAspectRatio="xMidYMid meet" aria-hidden={sample.box === null}>
        {faces && sample.faceBoxes.map((b, i) => rect(b, 'face-box', i))}
        {sample.box && <g role="img" aria-label="Manipulated face">{rect(sample.box, 'fake-box')}</g>}
      </svg>
    </div>
  );
}

/** The text with the manipulated words marked. */
export function Dgm4Text({ sample }: { sample: Dgm4Sample }) {
  const marked = new Set(sample.textPos);
  return (
    <span className="dgm4-text">
      {dgm4Words(sample.text).map((w, i) => (
        <span key={i}>
          {marked.has(i) ? <mark title="manipulated word">{w}</mark> : w}{' '}
        </span>
      ))}
    </span>
  );
}

/** The analyst's verdict (keys 1–4), note and tags on the open sample, and Undo. */
function SampleCuration({ curation, onChange, onUndo }: { curation: (PairCuration & { undo: string | null }) | null; onChange: (change: SampleChange) => void; onUndo: () => void }) {
  if (curation === null) return null;
  return (
    <div className="dgm4-curation">
      <CurationPanel curation={curation} collections={null} onChange={onChange} names={DGM4_VERDICT_NAMES} />
      <button type="button" className="link small" disabled={curation.undo === null} title={curation.undo ?? undefined} onClick={onUndo}>{curation.undo === null ? 'Nothing to undo' : 'Undo the last edit'}</button>
    </div>
  );
}

function Detail({ detail, onClose, onOpenItem, curation }: { detail: Dgm4Detail; onClose: () => void; onOpenItem: (itemId: number) => void; curation: ReactNode }) {
  const { sample, original } = detail;
  const [faces, setFaces] = useState(false);
  return (
    <section className="card dgm4-detail" aria-label={`DGM4 sample ${sample.id}`}>
      <header className="dgm4-detail-head">
        <h2>
          Sample {sample.id} <span className={sample.classes.length === 0 ? 'label pristine' : 'label falsified'}>{className(sample.fakeCls)}</span>
        </h2>
        <button type="button" className="link" onClick={onClose} aria-label="Close the sample">Close (Esc)</button>
      </header>
      {curation}
      <div className="dgm4-compare">
        <figure>
          <Dgm4Picture sample={sample} faces={faces} large />
          <figcaption>
            <p className="detail-caption"><Dgm4Text sample={sample} /></p>
            <p className="small muted">
              {sample.split} row {sample.position} · {sample.source} · {sample.width} × {sample.height}
              {sample.box && ` · face box [${sample.box.join(', ')}]`}
              {sample.textPos.length > 0 && ` · words ${sample.textPos.join(', ')}`}
            </p>
            <label className="small check"><input type="checkbox" checked={faces} onChange={(e) => setFaces(e.target.checked)} /> every face MTCNN found ({sample.faceBoxes.length})</label>
          </figcaption>
        </figure>
        <figure aria-label="The VisualNews original">
          {original === null ? (
            <p className="muted small">Item {sample.id} is not in the VisualNews index, so its original image and caption cannot be shown.</p>
          ) : (
            <>
              {original.hasImage ? <img className="original" src={imageUrl(original.itemId)} alt={`VisualNews item ${original.itemId}`} /> : <p className="muted small">The original has no image.</p>}
              <figcaption>
                <p className="detail-caption">{original.caption}</p>
                <p className="small muted">
                  <button type="button" className="link" onClick={() => onOpenItem(original.itemId)}>VisualNews item {original.itemId}</button> · {[original.source, original.topic].filter(Boolean).join(' / ')}
                </p>
              </figcaption>
            </>
          )}
        </figure>
      </div>
    </section>
  );
}

/**
 * DGM4's samples: a split's manipulated and pristine image–text pairs in file order, filtered by
 * class, modality, generator or outlet, link to VisualNews and words; the face box drawn and the
 * manipulated words marked; a sample open beside its VisualNews original. j/k (or ←/→) move, Esc
 * closes, 1–4/0 set the open sample's verdict, x marks it; edits of several go to the marked
 * samples, or else to every sample the filters show.
 */
export function ManipulationsView({ state, update, overview }: { state: ViewState; update: UpdateView; overview: Overview }) {
  const split = state.dsplit ?? overview.dgm4.find((s) => s.split === 'test')?.split ?? overview.dgm4[0]?.split;
  const [page, setPage] = useState<Dgm4Page | null>(null);
  const [detail, setDetail] = useState<Dgm4Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState(state.dq ?? '');
  const [curation, setCuration] = useState<(PairCuration & { undo: string | null }) | null>(null);
  const [undoLabel, setUndoLabel] = useState<string | null>(null);
  /** Samples marked (by id, as their curation is keyed) for an edit of several; cleared when the filters change. */
  const [marked, setMarked] = useState<ReadonlySet<number>>(new Set());
  const [edits, setEdits] = useState(0);
  const offset = state.doffset ?? 0;
  const query = { cls: state.dcls, kind: state.dkind, source: state.dsource, linked: state.dlinked, q: state.dq, verdict: state.dverdict };
  // The filters set (an API call takes no undefined values).
  const filters = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
  const key = JSON.stringify([split, query, offset, edits]);
  const filterKey = JSON.stringify([split, query]);
  useEffect(() => setMarked(new Set()), [filterKey]);
  const toggleMark = useCallback((id: number) => setMarked((m) => {
    const next = new Set(m);
    if (!next.delete(id)) next.add(id);
    return next;
  }), []);
  useEffect(() => {
    call('curation.undoState', {}).then((r) => setUndoLabel(r.undo), (err: ApiError) => setError(describeError(err)));
  }, [edits]);
  useEffect(() => {
    if (split === undefined) return;
    let live = true;
    call('dgm4.page', { split, ...filters, offset, limit: PAGE }).then(
      (p) => live && (setPage(p), setError(null)),
      (err: ApiError) => live && setError(describeError(err)),
    );
    return () => {
      live = false;
    };
    // The query is the key.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  useEffect(() => {
    if (split === undefined || state.sample === undefined) return setDetail(null);
    let live = true;
    call('dgm4.sample', { split, position: state.sample }).then(
      (d) => {
        if (!live) return;
        setDetail(d);
        call('dgm4.curation', { split, id: d.sample.id }).then((c) => live && setCuration(c), (err: ApiError) => live && setError(describeError(err)));
      },
      (err: ApiError) => live && setError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [split, state.sample]);
  // An edit: the open sample's curation comes back, and the page is asked again (counts, badges).
  const edited = useCallback((): void => {
    setEdits((n) => n + 1);
    if (detail && split) call('dgm4.curation', { split, id: detail.sample.id }).then(setCuration, (err: ApiError) => setError(describeError(err)));
  }, [detail, split]);
  const curate = useCallback(
    (target: { split: string; ids: number[] } | { selection: Record<string, unknown> & { split: string } }, change: SampleChange): void =>
      void call('dgm4.curate', { target, change }).then(edited, (err: ApiError) => setError(describeError(err))),
    [edited],
  );
  const undo = (): void => void call('curation.undo', {}).then(edited, (err: ApiError) => setError(describeError(err)));
  // A layout effect, so that the next key acts on the sample the last one chose (see PairBrowser).
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const target = e.target as HTMLElement | null;
      if (e.ctrlKey || e.metaKey || e.altKey || target?.closest('[role="dialog"]')) return;
      // In a text box keys type; Esc leaves the box (a second Esc closes the sample).
      if (target?.closest('input, textarea, select')) {
        if (e.key === 'Escape') (target as HTMLElement).blur();
        return;
      }
      const samples = page?.samples ?? [];
      const at = samples.findIndex((s) => s.position === state.sample);
      const move = (step: number): void => {
        const next = samples[Math.min(samples.length - 1, Math.max(0, at + step))];
        if (next) update({ sample: next.position }, 'replace');
      };
      if (e.key === 'j' || e.key === 'ArrowRight') move(at < 0 ? 0 : 1);
      else if (e.key === 'k' || e.key === 'ArrowLeft') move(at < 0 ? 0 : -1);
      else if (e.key === 'Escape' && state.sample !== undefined) update({ sample: undefined });
      else if (e.key === 'x' && detail) toggleMark(detail.sample.id);
      else if (/^[0-4]$/.test(e.key) && detail && split) {
        // 1–4 set a verdict (the same again clears it), 0 clears, as in the pair browser.
        const verdict = e.key === '0' ? null : VERDICTS[Number(e.key) - 1]!;
        curate({ split, ids: [detail.sample.id] }, { verdict: verdict === curation?.verdict ? null : verdict });
      } else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [page, state.sample, update, detail, split, curate, curation?.verdict, toggleMark]);

  if (split === undefined) {
    return (
      <div className="card empty-state manipulations-empty">
        <h2>DGM4 is not indexed</h2>
        <p>Index DGM4's metadata from the Dataset view (or <code>ooc index --dgm4 &lt;folder holding DGM4/&gt;</code>) to browse its manipulated faces and words here.</p>
        <button type="button" onClick={() => update({ view: 'dataset' })}>Open the Dataset view</button>
      </div>
    );
  }
  const filter = (next: ViewUpdate) => update({ ...next, doffset: undefined, sample: undefined });
  const total = page?.total ?? 0;
  return (
    <div className={detail ? 'manipulations with-detail' : 'manipulations'}>
      <aside className="facets" aria-label="DGM4 filters">
        <div className="facet">
          <h3>Split</h3>
          <select aria-label="DGM4 split" value={split} onChange={(e) => filter({ dsplit: e.target.value })}>
            {overview.dgm4.map((s) => <option key={s.split} value={s.split}>{s.split} ({formatCount(s.samples)})</option>)}
          </select>
        </div>
        <form className="facet" role="search" onSubmit={(e) => { e.preventDefault(); filter({ dq: search.trim() || undefined }); }}>
          <h3>Words or id</h3>
          <input type="search" className="note-filter" aria-label="Search DGM4 texts" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Enter to search" />
        </form>
        <div className="facet">
          <h3>Class</h3>
          <ul aria-label="Classes">
            <li><button type="button" className={state.dcls === undefined ? 'facet-value on' : 'facet-value'} onClick={() => filter({ dcls: undefined })}>any</button></li>
            {Object.entries(page?.classes ?? {}).map(([cls, n]) => (
              <li key={cls}>
                <button type="button" className={state.dcls === cls ? 'facet-value on' : 'facet-value'} aria-pressed={state.dcls === cls} onClick={() => filter({ dcls: state.dcls === cls ? undefined : cls })}>
                  <span className="facet-name">{className(cls)}</span> <span className="facet-count">{formatCount(n)}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
        <div className="facet">
          <h3>Manipulated</h3>
          <select aria-label="What was manipulated" value={state.dkind ?? ''} onChange={(e) => filter({ dkind: (e.target.value || undefined) as ViewState['dkind'] })}>
            <option value="">anything or nothing</option>
            {KINDS.map((k) => <option key={k.value} value={k.value}>{k.label}</option>)}
          </select>
        </div>
        <div className="facet">
          <h3>Generator or outlet</h3>
          <select aria-label="Generator or outlet" value={state.dsource ?? ''} onChange={(e) => filter({ dsource: e.target.value || undefined })}>
            <option value="">any</option>
            {Object.entries(page?.sources ?? {}).map(([source, n]) => <option key={source} value={source}>{source} ({formatCount(n)})</option>)}
          </select>
        </div>
        <div className="facet">
          <h3>Your verdict</h3>
          <select aria-label="Verdict filter" value={state.dverdict ?? ''} onChange={(e) => filter({ dverdict: (e.target.value || undefined) as ViewState['dverdict'] })}>
            <option value="">any ({formatCount(Object.values(page?.verdicts ?? {}).reduce((n, x) => n + x, 0))})</option>
            <option value="none">none yet ({formatCount(page?.verdicts.none ?? 0)})</option>
            {VERDICTS.map((v) => <option key={v} value={v}>{DGM4_VERDICT_NAMES[v]} ({formatCount(page?.verdicts[v] ?? 0)})</option>)}
          </select>
        </div>
        <div className="facet">
          <h3>VisualNews original</h3>
          <select aria-label="VisualNews original" value={state.dlinked === undefined ? '' : state.dlinked ? '1' : '0'} onChange={(e) => filter({ dlinked: e.target.value === '' ? undefined : e.target.value === '1' })}>
            <option value="">either</option>
            <option value="1">indexed</option>
            <option value="0">not indexed</option>
          </select>
        </div>
      </aside>
      <section className="dgm4-grid-pane" aria-label="DGM4 samples">
        <div className="dgm4-bar">
          <span role="status">{page === null ? 'Loading…' : total === 0 ? 'No sample matches.' : `${formatCount(offset + 1)}–${formatCount(Math.min(total, offset + PAGE))} of ${formatCount(total)} samples`}</span>
          <span className="grow" />
          <button type="button" disabled={offset === 0} onClick={() => update({ doffset: Math.max(0, offset - PAGE) || undefined, sample: undefined })}>Previous</button>
          <button type="button" disabled={offset + PAGE >= total} onClick={() => update({ doffset: offset + PAGE, sample: undefined })}>Next</button>
        </div>
        <BulkBar
          noun="sample"
          total={page === null ? null : total}
          marked={marked.size}
          onClearMarks={() => setMarked(new Set())}
          undo={undoLabel}
          onApply={(change) => curate(marked.size > 0 ? { split, ids: [...marked] } : { selection: { split, ...filters } }, change)}
          onUndo={undo}
          onExport={() => void call('dgm4.export', { split, ...filters }).then((r) => saveText(r.json, r.filename, 'application/json'), (err: ApiError) => setError(describeError(err)))}
          verdictNames={DGM4_VERDICT_NAMES}
          collections={false}
          exportLabel="Export as DGM4 JSON"
          exportTitle="The samples the filters show (every page) as a JSON list in DGM4's own metadata format, for DGM4's loaders or to index again"
        />
        {error && <p className="error" role="alert">{error}</p>}
        <ul className="dgm4-grid">
          {page?.samples.map((s) => (
            <li key={s.position} className={marked.has(s.id) ? 'marked' : undefined}>
              <input type="checkbox" className="mark" aria-label={`Mark sample ${s.id}`} checked={marked.has(s.id)} onChange={() => toggleMark(s.id)} />
              <button type="button" className={state.sample === s.position ? 'dgm4-tile selected' : 'dgm4-tile'} aria-current={state.sample === s.position} aria-label={`Sample ${s.id}, ${className(s.fakeCls)}`} onClick={() => update({ sample: s.position })}>
                <Dgm4Picture sample={s} />
                <span className={s.classes.length === 0 ? 'label pristine' : 'label falsified'}>{className(s.fakeCls)}</span>
                {s.verdict && <span className={`verdict-badge ${s.verdict}`}>{DGM4_VERDICT_NAMES[s.verdict]}</span>}
                <span className="dgm4-tile-text"><Dgm4Text sample={s} /></span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      {detail && (
        <Detail
          detail={detail}
          onClose={() => update({ sample: undefined })}
          onOpenItem={(item) => update({ view: 'items', item, find: undefined }, 'push')}
          curation={<SampleCuration curation={curation} onChange={(change) => curate({ split: detail.sample.split, ids: [detail.sample.id] }, change)} onUndo={undo} />}
        />
      )}
    </div>
  );
}
