import { useEffect, useState } from 'react';
import type { AppInfo, Overview } from '../../../electron/common/api.ts';
import { call } from '../api/client.ts';
import { OverviewView } from '../components/OverviewView.tsx';
import { formatCount } from '../format.ts';
import { useViewState } from '../state/view-state.ts';
import { PairBrowser } from './PairBrowser.tsx';

/** The workbench: loads what the index holds, then shows the overview or the pair browser. */
export function App() {
  const [state, update] = useViewState();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [overview, setOverview] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    call('app.info', {}).then(async (i) => {
      setInfo(i);
      if (i.hasIndex) setOverview(await call('overview.get', {}));
    }).catch((err: Error) => setError(err.message));
  }, []);

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
        </nav>
        {info?.demo && <span className="badge" title="The bundled demo dataset: drawn images, generated captions">Demo dataset</span>}
        {overview && <span className="muted small dataset">{formatCount(overview.stats.items.total)} items · {formatCount(overview.stats.pairs)} pairs</span>}
      </header>
      <main>
        {error && <p className="error" role="alert">{error}</p>}
        {info && !info.hasIndex && (
          <div className="card empty-state">
            <h2>No dataset indexed yet</h2>
            {window.ooc ? (
              <p>Choose File → Open Dataset… to index your VisualNews and NewsCLIPpings copy, or File → Open the Demo Dataset.</p>
            ) : (
              <>
                <p>Index your VisualNews and NewsCLIPpings copy, then reload:</p>
                <pre>npm run ooc -- index --visualnews /path/to/visual_news/origin --clippings /path/to/news_clippings --db {info.database}</pre>
              </>
            )}
          </div>
        )}
        {overview && state.view === 'overview' && <OverviewView overview={overview} onOpenSplit={(split, subset) => update({ view: 'pairs', split, subset, pair: undefined, open: false })} />}
        {overview && state.view === 'pairs' && <PairBrowser state={state} update={update} overview={overview} />}
        {!info && !error && <p className="muted loading">Loading…</p>}
      </main>
    </div>
  );
}
