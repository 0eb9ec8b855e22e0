import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Overview, PairDetail } from '../../../electron/common/api.ts';
import type { PairCuration } from '../../../electron/common/curation.ts';
import type { PairFacets, PairQuery, PairSummary } from '../../../electron/common/pairs.ts';
import { FACETS } from '../../../electron/common/schemas.ts';
import { call, explainImage, imageUrl, takeEarly, thumbnailUrl, type ApiError } from '../api/client.ts';
import { BulkBar } from '../components/BulkBar.tsx';
import { ExportDialog } from '../components/ExportDialog.tsx';
import { FilterBar } from '../components/FilterBar.tsx';
import { PairDetailView } from '../components/PairDetailView.tsx';
import { FacetSidebar } from '../components/FacetSidebar.tsx';
import { PairList } from '../components/PairList.tsx';
import { Splitter } from '../components/Splitter.tsx';
import { splitName, VERDICTS } from '../format.ts';
import { useCuration } from '../state/curation.ts';
import { appendPage, indexOfPair, itemAt, noPages, updatePair, type Pages } from '../state/pages.ts';
import { facetsQuery, PAGE, pageQuery, queryOf, type UpdateView, type ViewState } from '../state/view-state.ts';
import { describeError } from '../errors.ts';

const explain = explainImage;

const thumb = (id: number): string => thumbnailUrl(id, 256);

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA');
}

/**
 * The pair browser: filters on top, a virtualized list that loads pages by cursor as it
 * scrolls, and the selected pair's detail beside it. Keyboard: j/k or arrows move, Enter opens,
 * Esc closes, / searches.
 */
export function PairBrowser({ state, update, overview }: { state: ViewState; update: UpdateView; overview: Overview }) {
  // The query changes only when what it asks for does (not on selecting or opening a pair).
  const queryKey = JSON.stringify(queryOf(state));
  const query = useMemo((): PairQuery => JSON.parse(queryKey) as PairQuery, [queryKey]);

  // The first page, when it was asked for ahead (boot.ts) and has come, is shown by the first render.
  const [first] = useState(() => takeEarly('pairs.page', pageQuery(query)));
  const shown = useRef(first === undefined ? null : queryKey);
  const [pages, setPages] = useState<Pages>(() => (first ? appendPage(noPages(PAGE), first.items) : noPages(PAGE)));
  // The query the rows shown answer. While another is asked for, they stay, dimmed, instead of an
  // empty list flashing at each keystroke; the total says "…" until the rows and it are replaced together.
  const [pagesQuery, setPagesQuery] = useState<PairQuery | null>(first === undefined ? null : query);
  // How many times the rows were replaced by a query's first page: the list shows the rows in view
  // first and adds those beyond it after that frame.
  const [replaced, setReplaced] = useState(0);
  const [next, setNext] = useState<string | null>(first?.next ?? null);
  const [total, setTotal] = useState<number | null>(first?.total ?? null);
  const [error, setError] = useState<string | null>(null);
  const [detail, setDetail] = useState<PairDetail | null>(null);
  const [article, setArticle] = useState<{ text: string | null; problem: string | null } | null>(null);
  const loading = useRef(false);
  const generation = useRef(0);
  const listRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  const [reload, setReload] = useState(0);
  const [exporting, setExporting] = useState(false);
  const tagInputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (shown.current === queryKey && reload === 0) return;
    shown.current = null;
    const mine = ++generation.current;
    loading.current = true;
    setNext(null);
    setTotal(null);
    setError(null);
    const show = (items: PairSummary[], total: number | null, next: string | null): void => {
      if (mine !== generation.current) return;
      setPages(appendPage(noPages(PAGE), items));
      setReplaced((n) => n + 1);
      setPagesQuery(query);
      setNext(next);
      setTotal(total);
      loading.current = false;
      if (reload === 0) listRef.current?.scrollTo({ top: 0 });
    };
    call('pairs.page', pageQuery(query)).then(
      (page) => show(page.items, page.total, page.next),
      (err: ApiError) => {
        show([], 0, null);
        if (mine === generation.current) setError(describeError(err));
      },
    );
  }, [query, queryKey, reload]);

  const loadMore = useCallback(() => {
    if (loading.current || next === null) return;
    loading.current = true;
    const mine = generation.current;
    call('pairs.page', { ...query, cursor: next, limit: PAGE }).then(
      (page) => {
        if (mine !== generation.current) return;
        setPages((current) => appendPage(current, page.items));
        setNext(page.next);
        loading.current = false;
      },
      (err: ApiError) => {
        if (mine !== generation.current) return;
        setError(describeError(err));
        loading.current = false;
      },
    );
  }, [next, query]);

  // The sidebar's counts: asked for with every change of the filters once the rows for it have
  // been painted (counting takes longer, and would compete with the rows for the server and the
  // page), the previous counts shown (dimmed) meanwhile.
  const facetsKey = JSON.stringify(facetsQuery(query));
  const [facets, setFacets] = useState<{ key: string; value: PairFacets } | null>(null);
  const [facetsReload, setFacetsReload] = useState(0);
  const rowsIn = pagesQuery === query;
  useEffect(() => {
    if (!rowsIn) return;
    let live = true;
    let timer: number | undefined;
    const frame = requestAnimationFrame(() => {
      timer = window.setTimeout(() =>
        call('pairs.facets', JSON.parse(facetsKey) as PairQuery).then(
          (value) => live && setFacets({ key: facetsKey, value }),
          (err: ApiError) => live && setError(describeError(err)),
        ),
      );
    });
    return () => {
      live = false;
      cancelAnimationFrame(frame);
      window.clearTimeout(timer);
    };
  }, [facetsKey, reload, facetsReload, rowsIn]);

  const [detailWidth, setDetailWidth] = useState(() => Number(localStorage.getItem('ooc.detailWidth')) || 520);
  const resizeDetail = useCallback((width: number) => {
    setDetailWidth(width);
    localStorage.setItem('ooc.detailWidth', String(width));
  }, []);

  const neighbourScopes = useMemo(
    () => ({
      files: overview.files.map((f) => ({ split: f.split, subset: f.subset, name: splitName(overview.splits, f.split) })),
      sources: Object.keys(overview.stats.items.bySource).sort(),
      topics: Object.keys(overview.stats.items.byTopic).sort(),
    }),
    [overview],
  );
  const embeddingModels = useMemo(() => [...new Set(Object.keys(overview.stats.embeddings).map((key) => key.slice(0, key.lastIndexOf(':'))))], [overview]);

  const selectedIndex = indexOfPair(pages, state.pair);
  const selected = itemAt(pages, selectedIndex);
  const onPairChanged = useCallback((pairId: number, c: PairCuration) => {
    setPages((current) => updatePair(current, pairId, (p) => ({ ...p, verdict: c.verdict, tags: c.tags })));
    setFacetsReload((n) => n + 1);
  }, []);
  const onListChanged = useCallback(() => setReload((n) => n + 1), []);
  const { curation, lists, undo, marked, toggleMark, clearMarks, edit, undoLast } = useCuration({
    query,
    openPair: detail?.pair,
    selected,
    curationFiltered: state.verdict !== undefined || state.tag !== undefined || state.collection !== undefined || state.note !== undefined,
    onPairChanged,
    onListChanged,
    onError: setError,
  });

  // The list scrolls the selection into view itself.
  const select = useCallback(
    (index: number) => {
      const pair = itemAt(pages, Math.max(0, index));
      if (pair) update({ pair: pair.pairId }, 'replace');
    },
    [pages, update],
  );
  // Stable for the list's rows (memoised): they take the pair they were given.
  const onSelect = useCallback((pair: PairSummary) => update({ pair: pair.pairId }, 'replace'), [update]);
  const openItem = useCallback((id: number) => update({ view: 'items', item: id }), [update]);
  const onOpen = useCallback((pair: PairSummary) => update({ pair: pair.pairId, open: true }), [update]);

  const grid = state.layout === 'grid';
  // A layout effect: the listener that knows the latest selection is in place as soon as the
  // selection is rendered, before the next key (an effect would wait for the next frame, and a
  // quick "j Enter" would open nothing).
  useLayoutEffect(() => {
    // In the grid, ↑/↓ move a row and ←/→ a pair; j/k always move one pair.
    const columns = (): number => Number(listRef.current?.dataset.columns ?? 1);
    function onKey(e: KeyboardEvent): void {
      // A modal dialog has the keyboard: nothing acts on the list or the pair behind it.
      if (document.querySelector('dialog[open]')) return;
      if (e.key === 'Escape') {
        // Esc leaves a field or the sidebar (where Enter would toggle a filter) for the list's keys.
        if (isTyping(e.target) || (e.target instanceof HTMLElement && e.target.closest('.facets'))) (e.target as HTMLElement).blur();
        else if (state.open) update({ open: false });
        return;
      }
      if (isTyping(e.target)) return;
      if ((e.ctrlKey || e.metaKey) && e.key === 'z') {
        e.preventDefault();
        undoLast();
        return;
      }
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (state.open && /^[0-4]$/.test(e.key)) {
        edit({ verdict: e.key === '0' ? null : VERDICTS[Number(e.key) - 1]! }, false);
      } else if (e.key === 'x' && selected) {
        toggleMark(selected);
      } else if (state.open && e.key === 't') {
        e.preventDefault();
        tagInputRef.current?.focus();
      } else if (e.key === '/') {
        e.preventDefault();
        searchRef.current?.focus();
      } else if (e.key === 'j' || e.key === 'ArrowDown' || (grid && e.key === 'ArrowRight')) {
        e.preventDefault();
        select(selectedIndex + (e.key === 'ArrowDown' ? columns() : 1));
      } else if (e.key === 'k' || e.key === 'ArrowUp' || (grid && e.key === 'ArrowLeft')) {
        e.preventDefault();
        select(selectedIndex - (e.key === 'ArrowUp' ? columns() : 1));
      } else if (e.key === 'Enter' && state.pair !== undefined) {
        update({ open: true });
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [select, selectedIndex, selected, state.open, state.pair, update, edit, undoLast, toggleMark, grid]);

  useEffect(() => {
    setArticle(null);
    if (!state.open || state.pair === undefined) {
      setDetail(null);
      return;
    }
    let live = true;
    call('pairs.detail', { pairId: state.pair }).then(
      (d) => live && setDetail(d),
      (err: ApiError) => live && setError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [state.open, state.pair]);

  const subsets = overview.files.filter((f) => f.split === state.split).map((f) => f.subset);
  const subSplits = useMemo(
    () => (overview.files.find((f) => f.split === state.split && f.subset === state.subset)?.sourceDatasets ?? []).map((folder) => splitName(overview.splits, folder)),
    [overview, state.split, state.subset],
  );

  return (
    <div className={`browser${detail ? ' with-detail' : ''}`}>
      <FilterBar
        state={state}
        splits={overview.splits.filter((s) => overview.files.some((f) => f.split === s.folder))}
        subsets={subsets}
        scoreModels={overview.scores.map((r) => r.name)}
        randomModels={overview.randomModels}
        total={total}
        onChange={update}
        sidebarFilters={FACETS.filter((f) => state[f] !== undefined).length + (state.note !== undefined ? 1 : 0) + (state.minScore !== undefined || state.maxScore !== undefined ? 1 : 0)}
        searchRef={searchRef}
      />
      <BulkBar total={total} marked={marked.size} onClearMarks={clearMarks} undo={undo} onApply={(change) => edit(change, true)} onUndo={undoLast} onExport={() => setExporting(true)} />
      {exporting && (
        <ExportDialog query={query} total={total} splits={overview.splits} collections={lists.collections} onClose={() => setExporting(false)} />
      )}
      {error && <p className="error" role="alert">{error}</p>}
      <div className="browser-body">
        <FacetSidebar state={state} facets={facets?.value ?? null} stale={facets?.key !== facetsKey} subSplitNames={subSplits} onChange={update} />
        <PairList
          pages={pages}
          replaced={replaced}
          stale={pagesQuery !== null && pagesQuery !== query}
          layout={state.layout}
          label={pagesQuery?.label}
          query={pagesQuery?.q}
          selectedId={state.pair}
          marked={marked}
          thumbnail={thumb}
          explain={explain}
          onSelect={onSelect}
          onOpen={onOpen}
          onMark={toggleMark}
          onNeedMore={loadMore}
          listRef={listRef}
        >
          {total === 0 && !error && <p className="empty">No pairs match. Clear a filter or the search.</p>}
        </PairList>
        {detail && <Splitter width={detailWidth} min={320} max={900} label="Resize the pair detail" onResize={resizeDetail} />}
        {detail && (
          <div className="detail-pane" style={{ width: `min(${detailWidth}px, 60%)` }}>
          <PairDetailView
            detail={detail}
            query={state.q}
            article={article}
            image={imageUrl}
            thumbnail={thumb}
            embeddingModels={embeddingModels}
            neighbourScopes={neighbourScopes}
            randomModels={overview.randomModels}
            curation={curation}
            collections={lists.collections}
            onCurate={(change) => edit(change, false)}
            tagInputRef={tagInputRef}
            explain={explain}
            onLoadArticle={() => void call('items.article', { id: detail.pair.captionId }).then(setArticle, (err: ApiError) => setArticle({ text: null, problem: describeError(err) }))}
            onClose={() => update({ open: false })}
            onOpenItem={openItem}
            onCandidates={(caption) => update({ view: 'candidates', caption, open: false }, 'push')}
          />
          </div>
        )}
      </div>
    </div>
  );
}
