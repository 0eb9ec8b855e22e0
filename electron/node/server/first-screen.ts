import type { ApiMethod } from '../../common/api.ts';
import { FIRST_SCREEN_ID, pageQuery, parseViewState, queryOf, type FirstScreenAnswer } from '../../common/view-state.ts';
import { dispatch, type Handlers } from '../api/handlers.ts';

/**
 * The answers the first screen of the page at this URL needs (what the app runs on, the overview,
 * and the first page of pairs when it shows pairs), worked out while the browser fetches the
 * scripts, so that they come with the page instead of one round trip after the scripts have
 * run. Only answers that are not errors: for those the renderer asks again, and shows the error.
 */
export async function firstScreenAnswers(handlers: Handlers, search: string): Promise<FirstScreenAnswer[]> {
  const state = parseViewState(search);
  const calls: [ApiMethod, unknown][] = [
    ['app.info', {}],
    ['overview.get', {}],
  ];
  if (state.view === 'pairs') calls.push(['pairs.page', pageQuery(queryOf(state))]);
  const answers = await Promise.all(calls.map(async ([method, input]) => ({ method, input: JSON.stringify(input), result: await dispatch(handlers, method, input) })));
  return answers.flatMap(({ method, input, result }) => (result.ok ? [{ method, input, value: result.value }] : []));
}

/** The answers as the page's JSON block: data, never run (so the page's CSP allows it), with no `<` to end it early. */
export function firstScreenBlock(answers: FirstScreenAnswer[]): string {
  return `<script type="application/json" id="${FIRST_SCREEN_ID}">${JSON.stringify(answers).replace(/</g, '\\u003c')}</script>`;
}
