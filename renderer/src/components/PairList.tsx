import { memo, useEffect, useLayoutEffect, useState } from 'react';
import type { PairSummary } from '../../../electron/common/pairs.ts';
import { itemAt, type Pages } from '../state/pages.ts';
import { PairRow } from './PairRow.tsx';

export const ROW_HEIGHT = 132;
const OVERSCAN = 6;

export interface PairListProps {
  pages: Pages;
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

/**
 * The virtualized list: only the rows in view (and a few either side) exist. It keeps its own
 * scroll position, so scrolling re-renders the list alone — not the filters or the detail — and
 * rows whose pair and state did not change are not rendered again (PairRow is memoised).
 */
export const PairList = memo(function PairList({ pages, label, query, selectedId, marked, thumbnail, explain, onSelect, onOpen, onMark, onNeedMore, listRef, children }: PairListProps) {
  const [viewport, setViewport] = useState({ top: 0, height: 800 });
  useLayoutEffect(() => {
    const el = listRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport({ top: el.scrollTop, height: el.clientHeight }));
    observer.observe(el);
    return () => observer.disconnect();
  }, [listRef]);

  const first = Math.max(0, Math.floor(viewport.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(pages.count, Math.ceil((viewport.top + viewport.height) / ROW_HEIGHT) + OVERSCAN);
  // Pages are asked for two pages ahead, so a fast fling does not wait at the end of what is loaded.
  useEffect(() => {
    if (last >= pages.count - 2 * pages.size) onNeedMore();
  }, [last, pages.count, pages.size, onNeedMore]);

  const rows: React.ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const pair = itemAt(pages, i)!;
    rows.push(
      <div key={pair.pairId} className="pair-slot" style={{ top: `${i * ROW_HEIGHT}px`, height: `${ROW_HEIGHT}px` }}>
        <PairRow pair={pair} label={label} query={query} selected={pair.pairId === selectedId} marked={marked.has(pair.pairId)} thumbnail={thumbnail} explain={explain} onMark={onMark} onSelect={onSelect} onOpen={onOpen} />
      </div>,
    );
  }
  return (
    <div className="pair-list" role="listbox" aria-label="Pairs" tabIndex={0} ref={listRef} onScroll={(e) => setViewport({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}>
      <div className="pair-list-inner" style={{ height: `${pages.count * ROW_HEIGHT}px` }}>
        {rows}
      </div>
      {children}
    </div>
  );
});
