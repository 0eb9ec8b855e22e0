import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import type { AppInfo, Overview } from '../../../electron/common/api.ts';
import { call, takeEarly, type ApiError } from '../api/client.ts';
import { formatCount } from '../format.ts';
import { NO_FILTERS, useViewState, type ViewState } from '../state/view-state.ts';
import { useJobs } from '../state/jobs.ts';
import { DatasetView } from './DatasetView.tsx';
import { PairBrowser } from './PairBrowser.tsx';
import { describeError } from '../errors.ts';
import { OverviewView } from '../components/OverviewView.tsx';
import { CandidatesView } from './CandidatesView.tsx';
import { InvestigateView } from './InvestigateView.tsx';
import { ItemView } from './ItemView.tsx';
import { JobsView } from './JobsView.tsx';
import { ManipulationsView } from './ManipulationsView.tsx';
import { ModelsView } from './ModelsView.tsx';

// The views are in the workbench's one script, fetched in one request at start (a file per view
// cost more in requests than it saved in parsing: measured with `npm run bench -- browse`), except
// the evaluation's, whose charts (Observable Plot and d3) weigh more than the rest together: they
// are fetched when the view is first shown.
const EvaluationView = lazy(() => import('./EvaluationView.tsx'));

/**
 * The Jobs tab, counting the jobs running. It (and ReloadAfterJobs) follow the pushed job updates
 * in components of their own, so a job's progress does not render the whole workbench again.
 */
function JobsTab({ active, onOpen }: { active: boolean; onOpen: () => void }) {
  const running = useJobs().filter((r) => r.state === 'running').length;
  return (
    <button className={active ? 'tab active' : 'tab'} onClick={onOpen} aria-label={running > 0 ? `Jobs, ${running} running` : 'Jobs'}>
      Jobs{running > 0 && <span className="count" aria-hidden="true">{running}</span>}
    </button>
  );
}

/**
 * A new index or new embeddings change what every view shows: they are read again once such a
 * job finishes, whichever view is open (runs already finished when the page opened are old news).
 */
function ReloadAfterJobs({ load }: { load: () => Promise<void> }) {
  const jobs = useJobs();
  const finished = useRef<Set<string> | null>(null);
  useEffect(() => {
    const done = jobs.filter((r) => r.state === 'done' && ['index', 'index-dgm4', 'embed', 'check-images', 'generate-split'].includes(r.kind)).map((r) => r.id);
    if (finished.current === null) {
      finished.current = new Set(done);
      return;
    }
    const fresh = done.filter((id) => !finished.current!.has(id));
    for (const id of fresh) finished.current.add(id);
    if (fresh.length > 0) void load();
  }, [jobs, load]);
  return null;
}

/**
 * The workbench: loads what the index holds, then shows the overview or the pair browser.
 * `onNewPairs` hears of a view state that shows other pairs as it is set (to ask ahead for them).
 */
export function App({ onNewPairs }: { onNewPairs?: (state: ViewState) => void }) {
  const [state, update] = useViewState(onNewPairs);
  // What the bundle asked for as it loaded, when it has come; otherwise loaded below.
  const [info, setInfo] = useState<AppInfo | null>(() => takeEarly('app.info', {}) ?? null);
  const [overview, setOverview] = useState<Overview | null>(() => (info?.hasIndex ? (takeEarly('overview.get', {}) ?? null) : null));
  const [error, setError] = useState<string | null>(null);
  const loaded = useRef(info !== null && (overview !== null || !info.hasIndex));

  const load = useCallback(
    (): Promise<void> =>
      call('app.info', {})
      .then(async (i) => {
        const o = i.hasIndex ? await call('overview.get', {}) : null;
        setInfo(i);
        setOverview(o);
      })
      .catch((err: ApiError) => setError(describeError(err))),
    [],
  );
  useEffect(() => {
    if (!loaded.current) void load();
  }, [load]);

  // A split file named in the URL that this index lacks: fall back to the first one it has.
  useEffect(() => {
    if (!overview || overview.files.some((f) => f.split === state.split && f.subset === state.subset)) return;
    const first = overview.files.find((f) => f.split === state.split) ?? overview.files[0];
    if (first) update({ split: first.split, subset: first.subset }, 'replace');
  }, [overview, state.split, state.subset, update]);

  return (
    <div className="app">
      <header className="top">
        <h1>OOC Workbench</h1>
        <nav aria-label="Views">
          <button className={state.view === 'overview' ? 'tab active' : 'tab'} onClick={() => update({ view: 'overview', open: false })}>Overview</button>
          <button className={state.view === 'pairs' ? 'tab active' : 'tab'} onClick={() => update({ view: 'pairs' })}>Pairs</button>
          <button className={state.view === 'items' ? 'tab active' : 'tab'} onClick={() => update({ view: 'items', open: false })}>Items</button>
          <button className={state.view === 'candidates' ? 'tab active' : 'tab'} onClick={() => update({ view: 'candidates', open: false })}>Candidates</button>
          <button className={state.view === 'investigate' ? 'tab active' : 'tab'} onClick={() => update({ view: 'investigate', open: false })}>Investigate</button>
          {(overview?.dgm4.length ?? 0) > 0 && <button className={state.view === 'manipulations' ? 'tab active' : 'tab'} onClick={() => update({ view: 'manipulations', open: false })}>Manipulations</button>}
          <button className={state.view === 'evaluation' ? 'tab active' : 'tab'} onClick={() => update({ view: 'evaluation', open: false })}>Evaluation</button>
          <button className={state.view === 'models' ? 'tab active' : 'tab'} onClick={() => update({ view: 'models', open: false })}>Models</button>
          <button className={state.view === 'dataset' ? 'tab active' : 'tab'} onClick={() => update({ view: 'dataset', open: false })}>Dataset</button>
          <JobsTab active={state.view === 'jobs'} onOpen={() => update({ view: 'jobs', open: false })} />
        </nav>
        {info?.demo && <span className="badge" title="The bundled demo dataset: drawn images, generated captions">Demo dataset</span>}
        {info?.readOnly && <span className="badge warn" role="status" title={info.readOnly}>Read-only: curation unavailable</span>}
        {overview && (
          <span className="muted small dataset" title={`${formatCount(overview.stats.items.total)} items · ${formatCount(overview.stats.pairs)} pairs`}>
            {formatCount(overview.stats.items.total)} items · {formatCount(overview.stats.pairs)} pairs
          </span>
        )}
      </header>
      <ReloadAfterJobs load={load} />
      <main>
        <Suspense fallback={<p className="muted loading">Loading…</p>}>
          {error && <p className="error" role="alert">{error}</p>}
          {info && !info.hasIndex && state.view !== 'dataset' && (
            <div className="card empty-state">
              <h2>No dataset indexed yet</h2>
              <p>Point the workbench at your VisualNews and NewsCLIPpings copy to index it{window.ooc ? ' (or use File → Open Dataset…)' : ''}; you can browse as soon as it is done.</p>
              <DatasetView info={info} />
            </div>
          )}
          {info && state.view === 'dataset' && <DatasetView info={info} />}
          {overview && state.view === 'overview' && (
            <OverviewView
              overview={overview}
              onOpenSplit={(split, subset) => update({ view: 'pairs', split, subset, pair: undefined, open: false })}
              onFilter={(filter) => update({ view: 'pairs', ...NO_FILTERS, ...filter, pair: undefined, open: false })}
              onOpenItem={(item) => update({ view: 'items', item, open: false })}
            />
          )}
          {overview && state.view === 'evaluation' && <EvaluationView overview={overview} onOpen={(next) => update({ ...NO_FILTERS, pair: undefined, open: false, ...next })} />}
          {info?.hasIndex && state.view === 'models' && <ModelsView />}
          {state.view === 'jobs' && <JobsView />}
          {overview && state.view === 'items' && <ItemView state={state} update={update} overview={overview} />}
          {overview && state.view === 'candidates' && <CandidatesView state={state} update={update} overview={overview} onSplitsChanged={load} />}
          {overview && state.view === 'investigate' && <InvestigateView state={state} update={update} overview={overview} />}
          {overview && state.view === 'manipulations' && <ManipulationsView state={state} update={update} overview={overview} />}
          {overview && state.view === 'pairs' && <PairBrowser state={state} update={update} overview={overview} />}
          {!info && !error && <p className="muted loading">Loading…</p>}
        </Suspense>
      </main>
    </div>
  );
}
