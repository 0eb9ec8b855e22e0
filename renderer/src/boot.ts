import { callEarly, takeSentAnswers } from './api/client.ts';
import { pageQuery, parseViewState, queryOf, type ViewState } from './state/view-state.ts';

/** Asks ahead for the pairs a view shows (the sidebar's counts are asked for once they are in); resolves once the first page, if any, has come. */
function askForPairs(state: ViewState): Promise<unknown> {
  return state.view === 'pairs' ? callEarly('pairs.page', pageQuery(queryOf(state))) : Promise.resolve();
}

/**
 * Asks for what a view will show as soon as the view is known, rather than once React has
 * rendered it and run its effects: the view's own calls then take these answers (callEarly).
 */
export function askAhead(state: ViewState): void {
  void askForPairs(state);
}

/**
 * The first screen's calls: answered by what the server sent with the page (browser mode), or
 * started here, before the workbench's own modules are evaluated, all at once rather than
 * each after the one before. Resolves once what the first render shows has come.
 */
takeSentAnswers();
export const firstScreen: Promise<unknown> = Promise.allSettled([
  callEarly('app.info', {}),
  callEarly('overview.get', {}),
  askForPairs(parseViewState(window.location.search)),
]);
