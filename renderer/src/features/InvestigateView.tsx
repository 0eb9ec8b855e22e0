import { useCallback, useEffect, useRef, useState } from 'react';
import type { Overview } from '../../../electron/common/api.ts';
import { CASE_VERDICTS, MAX_UPLOAD_BYTES, type CaseFile, type CaseImage, type CaseSummary, type CaseVerdict } from '../../../electron/common/vetting.ts';
import { call, canPrintReports, saveReportPdf, type ApiError } from '../api/client.ts';
import { DeleteButton } from '../components/DeleteButton.tsx';
import { describeError } from '../errors.ts';
import { saveText } from '../save-file.ts';
import { countOf, formatCount } from '../format.ts';
import { useJob, useJobs } from '../state/jobs.ts';
import type { UpdateView, ViewState } from '../state/view-state.ts';
import { Evidence, type EvidenceActions } from './Evidence.tsx';
import { SaliencyPanel, type SaliencySubject } from '../components/SaliencyPanel.tsx';

/** Reads a file (picked, dropped or pasted) as base64, for cases.addImage. */
function readBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

/** How much of the corpus has hashes, and the job that makes them. */
function HashStatus() {
  const [status, setStatus] = useState<{ items: number; hashed: number; failed: number } | null>(null);
  const job = useJob('hash-images');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    call('hashes.status', {}).then(setStatus, (err: ApiError) => setError(describeError(err)));
  }, [job.state]);
  if (error) return <p className="error">{error}</p>;
  if (status === null || (status.hashed + status.failed >= status.items && job.state !== 'running')) return null;
  return (
    <div className="notice" role="status">
      {job.state === 'running' ? (
        <>Hashing the corpus images: {job.run?.note}</>
      ) : (
        <>
          {formatCount(status.hashed)} of {formatCount(status.items)} corpus images have a hash: earlier appearances are found only among those.{' '}
          <button type="button" onClick={() => void call('hashes.start', { retryFailed: false }).catch((err: ApiError) => setError(describeError(err)))}>
            Hash the corpus images
          </button>
        </>
      )}
    </div>
  );
}

function CaseList({ cases, current, onOpen, onCreate }: { cases: CaseSummary[]; current: number | undefined; onOpen: (id: number) => void; onCreate: () => void }) {
  return (
    <nav className="case-list card" aria-label="Cases">
      <div className="case-list-head">
        <h2>Cases</h2>
        <button type="button" onClick={onCreate}>
          New case
        </button>
      </div>
      {cases.length === 0 ? (
        <p className="small muted">No cases yet. A case holds the images you were sent, the claim made about them, your notes and verdict, and the evidence gathered offline.</p>
      ) : (
        <ul>
          {cases.map((c) => (
            <li key={c.caseId}>
              <button type="button" className={c.caseId === current ? 'case-entry active' : 'case-entry'} aria-current={c.caseId === current ? 'true' : undefined} onClick={() => onOpen(c.caseId)}>
                <strong>{c.title}</strong>
                <span className="small muted">
                  {countOf(c.images, 'image')}
                  {c.verdict && ` · ${c.verdict}`} · {new Date(c.updatedAt).toLocaleDateString()}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}

/** A text field saved when it loses focus (or on Enter for one line), not on every keystroke. */
function SavedField({ label, value, onSave, multiline = false, placeholder }: { label: string; value: string; onSave: (text: string) => void; multiline?: boolean; placeholder?: string }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const save = () => {
    if (text !== value) onSave(text);
  };
  return multiline ? (
    <textarea aria-label={label} value={text} placeholder={placeholder} onChange={(e) => setText(e.target.value)} onBlur={save} rows={3} />
  ) : (
    <input aria-label={label} value={text} placeholder={placeholder} onChange={(e) => setText(e.target.value)} onBlur={save} onKeyDown={(e) => e.key === 'Enter' && save()} />
  );
}

/** The case's image explained against its claim, with the methods the pair detail has. */
function CaseSaliency({ caseId, claim, image, preview }: { caseId: number; claim: string; image: CaseImage; preview: string | null }) {
  const subject: SaliencySubject = {
    label: 'new image',
    image: preview ? <img src={preview} alt={image.name} /> : <div className="pair-image" />,
    explain: (method, colormap, requestId) => call('cases.explain', { caseId, sha256: image.sha256, method, colormap, requestId }),
    png: (method, colormap, opacity) => call('cases.saliencyPng', { caseId, sha256: image.sha256, method, colormap, opacity }),
  };
  return (
    <section className="evidence-part case-saliency" aria-label="Saliency">
      <h4>Saliency: which regions and words drive the image–claim score</h4>
      <SaliencyPanel subjects={[subject]} resetKey={`${caseId}-${image.sha256}-${claim}`} disabled={claim.trim() === '' ? 'Type the claim first: saliency explains the image against it.' : null} />
    </section>
  );
}

function ImageCard({ caseId, claim, image, actions, onRemove }: { caseId: number; claim: string; image: CaseImage; actions: EvidenceActions; onRemove: () => void }) {
  const [preview, setPreview] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    call('cases.preview', { sha256: image.sha256, size: 480 }).then((r) => live && setPreview(r.dataUrl), () => undefined);
    return () => {
      live = false;
    };
  }, [image.sha256]);
  return (
    <article className="case-image card" aria-label={`Image ${image.name}`}>
      <header className="case-image-head">
        {preview ? <img src={preview} alt={image.name} className="case-preview" /> : <div className="case-preview placeholder" />}
        <div>
          <h3>{image.name}</h3>
          <p className="small muted">
            {image.format.toUpperCase()} · {image.width} × {image.height} · {formatCount(image.bytes)} bytes
          </p>
          <p className="small muted sha">sha256 {image.sha256}</p>
          {image.source && <p className="small muted sha">from {image.source}</p>}
          <DeleteButton question={`Remove ${image.name} from this case?`} onDelete={onRemove} />
        </div>
      </header>
      {image.evidence === null ? <p className="small muted">No evidence yet: Gather evidence.</p> : <Evidence result={image.evidence} actions={actions} preview={preview} />}
      <CaseSaliency caseId={caseId} claim={claim} image={image} preview={preview} />
    </article>
  );
}

function CasePanel({ file, overview, onChange, onDeleted, update }: { file: CaseFile; overview: Overview; onChange: (f: CaseFile) => void; onDeleted: () => void; update: UpdateView }) {
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(0);
  const [dragging, setDragging] = useState(false);
  const [address, setAddress] = useState('');
  const [fetching, setFetching] = useState(false);
  const [reference, setReference] = useState(() => (overview.files.some((f) => f.split === 'merged_balanced' && f.subset === 'test') ? 'merged_balanced/test' : ''));
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJobs().find((r) => r.id === jobId) ?? null;
  const fail = (err: ApiError) => setError(describeError(err));
  const change = (input: Parameters<typeof call<'cases.update'>>[1]): void => void call('cases.update', input).then(onChange, fail);

  const add = useCallback(
    async (files: readonly File[]) => {
      setError(null);
      const problems: string[] = [];
      for (const f of files) {
        if (f.size > MAX_UPLOAD_BYTES) {
          problems.push(`${f.name} is over ${MAX_UPLOAD_BYTES / 2 ** 20} MB; vet it with ooc vet --image instead`);
          continue;
        }
        setAdding((n) => n + 1);
        try {
          onChange(await call('cases.addImage', { caseId: file.caseId, name: f.name || 'pasted image', data: await readBase64(f) }));
        } catch (err) {
          problems.push(err instanceof Error ? err.message : String(err));
        } finally {
          setAdding((n) => n - 1);
        }
      }
      if (problems.length > 0) setError(problems.join('\n'));
    },
    [file.caseId, onChange],
  );

  // Paste an image anywhere in the view (not into a text field).
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length === 0) return;
      e.preventDefault();
      void add(files);
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [add]);

  useEffect(() => {
    if (job?.state === 'done') call('cases.get', { caseId: file.caseId }).then(onChange, fail);
    if (job?.state === 'failed' && job.error) setError(describeError(job.error));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [job?.state]);

  const pinned = new Set(file.pins.map((p) => p.target));
  const actions: EvidenceActions = {
    openItem: (item) => update({ view: 'items', item, find: undefined }, 'push'),
    openPair: (split, subset, pair) => update({ view: 'pairs', split, subset, pair, open: true }, 'push'),
    pin: (target, label) => void call('cases.pin', { caseId: file.caseId, target, label }).then(onChange, fail),
    pinned,
  };
  const vetting = job?.state === 'running';
  const vet = (redo: boolean) => {
    setError(null);
    const [split, subset] = reference === '' ? [undefined, undefined] : reference.split('/');
    const requestId = `vet-${file.caseId}-${Date.now()}`;
    setJobId(requestId);
    void call('cases.vet', { caseId: file.caseId, redo, requestId, ...(split ? { split, subset } : {}) }).then(onChange, fail);
  };
  const missing = file.images.filter((i) => i.evidence === null).length;
  // One file that opens offline in any browser (images inside it), or the same facts as JSON.
  const report = (format: 'html' | 'json') =>
    void call('cases.report', { caseId: file.caseId }).then((r) => (format === 'html' ? saveText(r.html, `${r.filename}.html`, 'text/html') : saveText(r.json, `${r.filename}.json`, 'application/json')), fail);
  return (
    <div className="case-panel">
      <section className="card case-head" aria-label="Case">
        <div className="case-title-row">
          <label className="grow">
            <span className="field-label">Title</span>
            <SavedField label="Case title" value={file.title} onSave={(title) => title.trim() !== '' && change({ caseId: file.caseId, title: title.trim() })} />
          </label>
          <DeleteButton question={`Delete the case "${file.title}", its notes and its evidence? Images used by no other case are deleted too.`} onDelete={() => void call('cases.delete', { caseId: file.caseId }).then(onDeleted, fail)} />
        </div>
        <label>
          <span className="field-label">The claim</span>
          <SavedField label="Claimed caption" value={file.claim} multiline placeholder="The caption claimed for the image, e.g. “Flooding in Valencia last week”, in any language" onSave={(claim) => change({ caseId: file.caseId, claim })} />
        </label>
        <label className="place-field">
          <span className="field-label">Where the claim says it was taken (latitude, longitude)</span>
          <SavedField label="Claimed place" value={file.place === null ? '' : `${file.place.latitude}, ${file.place.longitude}`} placeholder="e.g. 39.47, -0.38 — GPS in the images is measured from it" onSave={(place) => change({ caseId: file.caseId, place })} />
        </label>
        <p className="small muted">Changing the claim or the place clears the evidence; gather it again.</p>
        <div
          className={dragging ? 'drop-zone dragging' : 'drop-zone'}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            void add([...e.dataTransfer.files]);
          }}
        >
          Drop images here, paste one (Ctrl+V), or{' '}
          <label className="file-pick">
            <input type="file" accept="image/*" multiple aria-label="Add images" onChange={(e) => {
                void add([...(e.target.files ?? [])]);
                e.target.value = '';
              }} />
            <span className="link">choose files</span>
          </label>
          . Up to {MAX_UPLOAD_BYTES / 2 ** 20} MB each; nothing leaves this machine.
          {adding > 0 && <span className="muted"> Adding…</span>}
        </div>
        <form
          className="import-form url-row"
          onSubmit={(e) => {
            e.preventDefault();
            if (address.trim() === '') return;
            setError(null);
            setFetching(true);
            void call('cases.addUrl', { caseId: file.caseId, url: address.trim() })
              .then((f) => {
                onChange(f);
                setAddress('');
              }, fail)
              .finally(() => setFetching(false));
          }}
        >
          <label className="grow">
            Or fetch it from a web address (this goes to the network)
            <input type="url" aria-label="Image address" placeholder="https://…/photo.jpg" value={address} onChange={(e) => setAddress(e.target.value)} />
          </label>
          <button type="submit" disabled={fetching || address.trim() === ''}>
            {fetching ? 'Fetching…' : 'Fetch'}
          </button>
        </form>
        <div className="import-form vet-row">
          <label>
            Compare scores with
            <select aria-label="Reference split file" value={reference} onChange={(e) => setReference(e.target.value)}>
              <option value="">no split file</option>
              {overview.files.map((f) => (
                <option key={`${f.split}/${f.subset}`} value={`${f.split}/${f.subset}`}>
                  {f.split}/{f.subset}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => vet(false)} disabled={vetting || file.images.length === 0 || missing === 0}>
            Gather evidence{missing > 0 && file.images.length > 1 ? ` (${countOf(missing, 'image')})` : ''}
          </button>
          <button type="button" className="secondary" onClick={() => vet(true)} disabled={vetting || file.images.length === 0}>
            Gather again
          </button>
          {vetting && <span role="status">Gathering evidence… {job?.note}</span>}
          <span className="grow" />
          <button type="button" className="secondary" onClick={() => report('html')} disabled={file.images.length === 0} title="One file with every image inside it: opens offline in any browser, which can also print it to PDF">
            Save report (HTML)
          </button>
          {canPrintReports() && (
            <button type="button" className="secondary" onClick={() => void saveReportPdf(file.caseId).catch(fail)} disabled={file.images.length === 0}>
              Save report (PDF)
            </button>
          )}
          <button type="button" className="secondary" onClick={() => report('json')} disabled={file.images.length === 0}>
            Save as JSON
          </button>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </section>
      {file.images.map((image) => (
        <ImageCard key={image.sha256} caseId={file.caseId} claim={file.claim} image={image} actions={actions} onRemove={() => void call('cases.removeImage', { caseId: file.caseId, sha256: image.sha256 }).then(onChange, fail)} />
      ))}
      <section className="card" aria-label="Verdict and notes">
        <h2>Verdict and notes</h2>
        <div className="import-form">
          <label>
            Verdict
            <select aria-label="Verdict" value={file.verdict ?? ''} onChange={(e) => change({ caseId: file.caseId, verdict: e.target.value === '' ? null : (e.target.value as CaseVerdict) })}>
              <option value="">not decided</option>
              {CASE_VERDICTS.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>
        </div>
        <SavedField label="Notes" value={file.notes} multiline placeholder="What you checked, what you found, what remains" onSave={(notes) => change({ caseId: file.caseId, notes })} />
        <h3>Pinned evidence</h3>
        {file.pins.length === 0 ? (
          <p className="small muted">Pin an earlier appearance to keep it with the case.</p>
        ) : (
          <ul className="pins">
            {file.pins.map((p) => (
              <li key={p.pinId}>
                <button type="button" className="link" onClick={() => actions.openItem(Number(p.target.split(':')[1]))}>
                  {p.target}
                </button>{' '}
                {p.label}{' '}
                <button type="button" className="link small" onClick={() => void call('cases.unpin', { caseId: file.caseId, pinId: p.pinId }).then(onChange, fail)}>
                  unpin
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

/**
 * Vetting new images: cases on the left; the open case's claim, images and each image's evidence
 * (earlier appearances in the corpus, consistency under each model, neighbours), verdict and notes.
 */
export function InvestigateView({ state, update, overview }: { state: ViewState; update: UpdateView; overview: Overview }) {
  const [cases, setCases] = useState<CaseSummary[] | null>(null);
  const [file, setFile] = useState<CaseFile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = state.case;
  const listed = useRef(false);
  const refresh = useCallback(() => call('cases.list', {}).then((r) => setCases(r.cases), (err: ApiError) => setError(describeError(err))), []);
  useEffect(() => {
    if (!listed.current) {
      void refresh();
      // Models and matrices load while the investigator adds images, not after Gather evidence.
      call('cases.warm', {}).catch(() => undefined);
    }
    listed.current = true;
  }, [refresh]);
  useEffect(() => {
    setFile(null);
    if (open === undefined) return;
    let live = true;
    call('cases.get', { caseId: open }).then(
      (f) => live && setFile(f),
      (err: ApiError) => live && setError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [open]);
  const changed = useCallback(
    (f: CaseFile) => {
      setFile(f);
      void refresh();
    },
    [refresh],
  );
  const create = () =>
    call('cases.create', { title: '', claim: '' }).then((f) => {
      setFile(f);
      void refresh();
      update({ case: f.caseId }, 'push');
    }, (err: ApiError) => setError(describeError(err)));
  return (
    <div className="investigate">
      <CaseList cases={cases ?? []} current={open} onOpen={(id) => update({ case: id }, 'push')} onCreate={() => void create()} />
      <div className="investigate-main">
        <HashStatus />
        {error && <p className="error">{error}</p>}
        {file ? (
          <CasePanel key={file.caseId} file={file} overview={overview} onChange={changed} onDeleted={() => {
              void refresh();
              update({ case: undefined }, 'push');
            }} update={update} />
        ) : (
          open === undefined && (
            <section className="card">
              <h2>Vet an image</h2>
              <p>
                Start a <button type="button" className="link" onClick={() => void create()}>new case</button>, add the image you were sent and type the caption claimed for it. The workbench looks for the same photo among the corpus's images (re-encoded, resized, greyscale,
                mirrored or cropped), scores how well the claim fits the image against real and out-of-context pairs, and lists the nearest corpus images and captions — offline.
              </p>
            </section>
          )
        )}
      </div>
    </div>
  );
}
