import { callEarly } from './api/client.ts';
import { facetsQuery, pageQuery, parseViewState, queryOf, type ViewState } from './state/view-state.ts';

/** Asks ahead for the pairs a view shows; resolves once the first page, if any, has come. */
function askForPairs(state: ViewState): Promise<unknown> {
  if (state.view !== 'pairs') return Promise.resolve();
  void callEarly('pairs.facets', facetsQuery(queryOf(state)));
  return callEarly('pairs.page', pageQuery(queryOf(state)));
}

/**
 * Asks for what a view will show as soon as the view is known, rather than once React has
 * rendered it and run its effects: the view's own calls then take these answers (callEarly).
 */
export function askAhead(state: ViewState): void {
  void askForPairs(state);
}

/**
 * The first screen's calls, started here, imported before React and the views are evaluated
 * (some 200 ms of a cold start), all at once rather than each after the one before. Resolves
 * once what the first render shows has come (the sidebar's counts may come later).
 */
export const firstScreen: Promise<unknown> = Promise.allSettled([
  callEarly('app.info', {}),
  callEarly('overview.get', {}),
  askForPairs(parseViewState(window.location.search)),
]);
