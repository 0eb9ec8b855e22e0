import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countOf, formatCount, formatNumber } from '../../renderer/src/format.ts';

test('numbers are grouped by thousands as en-US writes them, without Intl', () => {
  for (const n of [0, 7, 999, 1000, 1200, 12345, 1264000, -1234567.5, 0.25, 453128]) assert.equal(formatNumber(n), n.toLocaleString('en-US', { maximumFractionDigits: 20 }));
  assert.equal(formatNumber(Number.NaN), 'NaN');
  assert.equal(countOf(1, 'pair'), '1 pair');
  assert.equal(countOf(1836, 'pair'), '1,836 pairs');
  assert.equal(formatCount(1264000), '1.26 M');
});
