import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeDatasetPath, resolveInRoot } from '../../electron/node/dataset-paths.ts';

const root = '/data/visual_news/origin';

test('dataset paths are accepted with or without the leading ./ and with backslashes', () => {
  assert.equal(normalizeDatasetPath('./washington_post/images/0376/501.jpg', root), 'washington_post/images/0376/501.jpg');
  assert.equal(normalizeDatasetPath('guardian/images/0540/632.jpg', root), 'guardian/images/0540/632.jpg');
  assert.equal(normalizeDatasetPath('.\\bbc\\images\\0001\\002.jpg', root), 'bbc/images/0001/002.jpg');
  assert.equal(normalizeDatasetPath('././bbc//images/./1.jpg', root), 'bbc/images/1.jpg');
  assert.equal(normalizeDatasetPath('  ./bbc/x.jpg ', root), 'bbc/x.jpg');
});

test('absolute paths are kept only when they lie inside the root', () => {
  assert.equal(normalizeDatasetPath('/data/visual_news/origin/guardian/images/0512/110.jpg', root), 'guardian/images/0512/110.jpg');
  assert.equal(normalizeDatasetPath('/VisualNews/origin/guardian/images/0512/110.jpg', root), null);
  assert.equal(normalizeDatasetPath('C:/VisualNews/origin/a.jpg', root), null);
});

test('paths that escape the root are refused', () => {
  for (const bad of ['../../etc/passwd', './guardian/../../secret.jpg', '..', '/etc/passwd', '', '   ', 'a\0b.jpg', '.']) {
    assert.equal(normalizeDatasetPath(bad, root), null, bad);
  }
});

test('resolveInRoot refuses traversal and returns absolute paths inside the root', () => {
  assert.equal(resolveInRoot(root, 'bbc/images/1.jpg'), '/data/visual_news/origin/bbc/images/1.jpg');
  assert.throws(() => resolveInRoot(root, '../origin-evil/x.jpg'), { code: 'PATH_OUTSIDE_ROOT' });
  assert.throws(() => resolveInRoot(root, '/etc/passwd'), { code: 'PATH_OUTSIDE_ROOT' });
});
