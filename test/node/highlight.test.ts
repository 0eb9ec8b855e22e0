import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hits } from '../../renderer/src/components/Highlight.tsx';

const marked = (text: string, query: string): string[] => hits(text, query).map(([start, end]) => text.slice(start, end));

test('the searched words are marked whatever their case and accents, as the search finds them', () => {
  assert.deepEqual(marked('Protest in NAIROBI, Kenya', 'nairobi'), ['NAIROBI']);
  assert.deepEqual(marked('Café owners in São Paulo', 'cafe sao'), ['Café', 'São']);
  assert.deepEqual(marked('A cafe in Lyon', 'café'), ['cafe']);
  assert.deepEqual(marked('İstanbul and Ankara', 'istanbul'), ['İstanbul']);
  assert.deepEqual(marked('Ångström units', 'ANGSTROM'), ['Ångström']);
});

test('the last word typed marks the words it begins from three letters on; the others only whole words', () => {
  assert.deepEqual(marked('Ships shipping shine in Ashdod', 'shi'), ['Ships', 'shipping', 'shine']);
  assert.deepEqual(marked('Ships in Ashdod', 'sh'), []);
  assert.deepEqual(marked('Ships in port; shipping news', 'ship news'), ['news']);
  assert.deepEqual(marked('Ships in port; shipping news', 'news ship'), ['Ships', 'shipping', 'news']);
});

test('words of scripts written without spaces are marked anywhere, beside accented and plain words', () => {
  assert.deepEqual(marked('会议在北京举行 Beijing', '北京'), ['北京']);
  assert.deepEqual(marked('会议在北京举行 in Béijing', '北京 beijing'), ['北京', 'Béijing']);
  assert.deepEqual(marked('no match here', 'zzz'), []);
});
