import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { PairSummary } from '../../../electron/common/pairs.ts';
import { indexOfPair, itemAt, type Pages } from '../state/pages.ts';
import type { ViewState } from '../state/view-state.ts';
import { PairRow } from './PairRow.tsx';
import { PairCard, PairLine } from './PairTiles.tsx';
import { useLate } from '../state/late.ts';

const OVERSCAN_ROWS = 4;
const LIST_ROW = 132;
const COMPACT_ROW = 52;
const CARD = { width: 180, height: 172 };
const GUTTER = 16;

/** Where the layout puts the pairs: how many a row, each row's height. */
export function geometry(layout: ViewState['layout'], width: number): { columns: number; rowHeight: number } {
  if (layout === 'grid') return { columns: Math.max(1, Math.floor((width - GUTTER) / CARD.width)), rowHeight: CARD.height };
  return { columns: 1, rowHeight: layout === 'compact' ? COMPACT_ROW : LIST_ROW };
}

export interface PairListProps {
  pages: Pages;
  /** Counts the times `pages` was replaced (a new query's first page), not appended to. */
  replaced: number;
  /** The rows answer an earlier query while the current one is asked for: shown dimmed, not clickable. */
  stale: boolean;
  layout: ViewState['layout'];
  label: 'pristine' | 'falsified' | undefined;
  query: string | undefined;
  selectedId: number | undefined;
  marked: ReadonlyMap<number, unknown>;
  thumbnail: (itemId: number) => string;
  explain: (itemId: number) => Promise<string | null>;
  /** Stable callbacks: a row passes its pair. */
  onSelect: (pair: PairSummary) => void;
  onOpen: (pair: PairSummary) => void;
  onMark: (pair: PairSummary) => void;
  /** Asked for when the rows shown come near the end of those loaded. */
  onNeedMore: () => void;
  listRef: React.RefObject<HTMLDivElement | null>;
  children?: React.ReactNode;
}

const TILES = { list: PairRow, grid: PairCard, compact: PairLine };

/** The part of the list in view, and its width. */
const viewOf = (el: HTMLElement) => ({ top: el.scrollTop, height: el.clientHeight, width: el.clientWidth });

/**
 * The virtualized list or grid: only the rows in view (and a few either side) exist. It keeps its
 * own scroll position, so scrolling re-renders the list alone — not the filters or the detail —
 * and tiles whose pair and state did not change are not rendered again (they are memoised). The
 * selected pair is scrolled into view when the selection moves; the element says how many pairs
 * a row holds (data-columns), for the arrow keys.
 */
export const PairList = memo(function PairList({ pages, replaced, stale, layout, label, query, selectedId, marked, thumbnail, explain, onSelect, onOpen, onMark, onNeedMore, listRef, children }: PairListProps) {
  const [viewport, setViewport] = useState({ top: 0, height: 800, width: 800 });
  useLayoutEffect(() => {
    const el = listRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport(viewOf(el)));
    observer.observe(el);
    return () => observer.disconnect();
  }, [listRef]);

  const dim = useLate(stale);
  // New rows (a search's results) are first made only where they are in view, so that they are
  // painted sooner; the rows beyond the view, there for scrolling, are added after that frame.
  const [widened, setWidened] = useState(replaced);
  useEffect(() => {
    if (widened === replaced) return;
    let timer: number | undefined;
    const frame = requestAnimationFrame(() => {
      timer = window.setTimeout(() => setWidened(replaced));
    });
    return () => {
      cancelAnimationFrame(frame);
      window.clearTimeout(timer);
    };
  }, [replaced, widened]);
  const overscan = widened === replaced ? OVERSCAN_ROWS : 0;

  // A fling (the view has moved by more than its height since the scroll event before, twice
  // within 250 ms) shows each pair as its caption alone until the scrolling has stopped for 120 ms:
  // full rows for a whole new screen at every frame take longer than a frame to make, and frames
  // would be dropped. A single jump (End, a selection far away) shows full rows at once.
  const [flinging, setFlinging] = useState(false);
  const scrolled = useRef({ top: 0, farAt: -Infinity });
  const flingEnd = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(flingEnd.current), []);
  const onScroll = (e: React.UIEvent<HTMLDivElement>): void => {
    const el = e.currentTarget;
    const far = Math.abs(el.scrollTop - scrolled.current.top) > el.clientHeight;
    if (far && e.timeStamp - scrolled.current.farAt < 250) {
      setFlinging(true);
      window.clearTimeout(flingEnd.current);
      flingEnd.current = window.setTimeout(() => setFlinging(false), 120);
    }
    scrolled.current = { top: el.scrollTop, farAt: far ? e.timeStamp : scrolled.current.farAt };
    setViewport(viewOf(el));
  };
  const { columns, rowHeight } = geometry(layout, viewport.width);
  const rowCount = Math.ceil(pages.count / columns);
  const firstRow = Math.max(0, Math.floor(viewport.top / rowHeight) - overscan);
  const lastRow = Math.min(rowCount, Math.ceil((viewport.top + viewport.height) / rowHeight) + overscan);
  const last = Math.min(pages.count, lastRow * columns);
  // Pages are asked for two pages ahead, so a fast fling does not wait at the end of what is
  // loaded; after the next frame, so that new rows (a search's results) paint first. The latest
  // callback is called, which knows the latest cursor (it ignores calls while a page loads).
  const needMore = useRef(onNeedMore);
  needMore.current = onNeedMore;
  useEffect(() => {
    if (last >= pages.count - 2 * pages.size) requestAnimationFrame(() => setTimeout(() => needMore.current()));
  }, [last, pages.count, pages.size, onNeedMore]);

  // The selection moved (keys, a click, Back): bring it into view. Not on new pages or a resize.
  const shownSelection = useRef<number | undefined>(undefined);
  useLayoutEffect(() => {
    const el = listRef.current;
    if (!el || selectedId === shownSelection.current) return;
    const index = indexOfPair(pages, selectedId);
    if (index < 0) return;
    shownSelection.current = selectedId;
    const top = Math.floor(index / columns) * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  }, [selectedId, pages, columns, rowHeight, listRef]);

  const Tile = TILES[layout];
  const width = `${100 / columns}%`;
  const tiles: React.ReactNode[] = [];
  for (let i = firstRow * columns; i < last; i++) {
    const pair = itemAt(pages, i)!;
    const column = i % columns;
    tiles.push(
      <div key={pair.pairId} className="pair-slot" style={{ top: `${Math.floor(i / columns) * rowHeight}px`, height: `${rowHeight}px`, left: `calc(${column} * ${width})`, width }}>
        {flinging ? (
          <div className="pair-skeleton">{pair.caption}</div>
        ) : (
          <Tile pair={pair} label={label} query={query} selected={pair.pairId === selectedId} marked={marked.has(pair.pairId)} thumbnail={thumbnail} explain={explain} onMark={onMark} onSelect={onSelect} onOpen={onOpen} />
        )}
      </div>,
    );
  }
  return (
    <div
      className={`pair-list layout-${layout}${dim ? ' stale' : ''}`}
      role="listbox"
      aria-label="Pairs"
      aria-busy={stale}
      tabIndex={0}
      ref={listRef}
      data-columns={columns}
      onScroll={onScroll}
    >
      <div className="pair-list-inner" style={{ height: `${rowCount * rowHeight}px` }}>
        {tiles}
      </div>
      {children}
    </div>
  );
});
