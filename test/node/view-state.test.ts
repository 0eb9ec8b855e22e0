import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_INPUTS, PAIR_FILTERS, parseInput } from '../../electron/common/schemas.ts';
import { describeError } from '../../renderer/src/errors.ts';
import { formatViewState, parseViewState, queryOf, type ViewState } from '../../renderer/src/state/view-state.ts';

test('the address round-trips every pair filter, by the names earlier versions used', () => {
  const state: ViewState = {
    view: 'pairs', split: 'semantics_clip_text_text', subset: 'val', sort: 'score-desc', layout: 'grid', open: true, pair: 42,
    label: 'falsified', q: 'Zoë 北京', source: 'bbc', topic: 'world', sourceDataset: 1, scoreModel: 'ViT-B/32', scoreMeasure: 'text-text',
    verdict: 'none', tag: 'to review', collection: 'picked', note: '', wrong: 'gpt-4o, direct', right: 'clip head', minScore: -0.25, maxScore: 0.5,
  };
  assert.deepEqual(Object.keys(PAIR_FILTERS).filter((k) => !(k in state)), [], 'the state above sets every filter');
  const url = formatViewState(state);
  assert.deepEqual(parseViewState(url), state);
  const p = new URLSearchParams(url);
  assert.deepEqual([p.get('subsplit'), p.get('min'), p.get('max'), p.get('by'), p.get('measure'), p.get('note'), p.get('layout')], ['1', '-0.25', '0.5', 'ViT-B/32', 'text-text', '', 'grid']);
  // What the URL gives is what the API takes.
  assert.deepEqual(parseInput(API_INPUTS['pairs.page'], queryOf(state)), queryOf(state));
});

test('a hand-edited address keeps what is valid and drops the rest', () => {
  const s = parseViewState('?split=merged_balanced&subset=test&label=bogus&subsplit=abc&min=0.3&verdict=maybe&sort=random&q=&layout=tiles');
  assert.deepEqual(s, { view: 'pairs', split: 'merged_balanced', subset: 'test', sort: 'file', layout: 'list', open: false, minScore: 0.3 });
});

test('the UI says what to do about an error by its code, not by its wording', () => {
  assert.equal(describeError({ code: 'DATABASE_BUSY', message: 'an index is being built; wait for it or cancel it' }), 'an index is being built; wait for it or cancel it. Another job is using the database: see Jobs, and wait for it or cancel it.');
  assert.equal(describeError({ code: 'DISK_FULL', message: 'the disk holding /x is full.' }), 'the disk holding /x is full. Free some disk space and try again.');
  assert.equal(describeError({ code: 'NOT_FOUND', message: 'no pair 7' }), 'no pair 7', 'nothing to add');
  assert.equal(describeError(new Error('plain')), 'plain');
});
