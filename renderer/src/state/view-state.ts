import { useCallback, useEffect, useState } from 'react';
import { formatViewState, parseViewState, queryOf, type UpdateView, type ViewState, type ViewUpdate } from '../../../electron/common/view-state.ts';

export * from '../../../electron/common/view-state.ts';

/** Whether two states show different pairs (another view, split file, sort or filter). */
const showsOtherPairs = (a: ViewState, b: ViewState): boolean => a.view !== b.view || JSON.stringify(queryOf(a)) !== JSON.stringify(queryOf(b));

/**
 * The view state and a setter. `push` adds a history entry (a new split, filter or opened pair);
 * `replace` does not (moving the selection with j/k, typing in the search box).
 * `onNewPairs` hears of a state that shows other pairs as it is set, before React renders it.
 */
export function useViewState(onNewPairs?: (state: ViewState) => void): [ViewState, UpdateView] {
  const [state, setState] = useState(() => parseViewState(window.location.search));
  const change = useCallback(
    (next: (current: ViewState) => ViewState) =>
      setState((current) => {
        const state = next(current);
        if (showsOtherPairs(current, state)) onNewPairs?.(state);
        return state;
      }),
    [onNewPairs],
  );
  useEffect(() => {
    const onPop = (): void => change(() => parseViewState(window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [change]);
  const update = useCallback(
    (next: ViewUpdate, mode: 'push' | 'replace' = 'push') =>
      change((current) => {
        const merged = { ...current, ...next } as ViewState;
        for (const key of Object.keys(next) as (keyof ViewState)[]) if (next[key] === undefined) delete merged[key];
        const url = formatViewState(merged);
        if (url !== window.location.search) window.history[mode === 'push' ? 'pushState' : 'replaceState'](null, '', url);
        return merged;
      }),
    [change],
  );
  return [state, update];
}
