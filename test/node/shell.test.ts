import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { APP_ORIGIN, CONTENT_SECURITY_POLICY, appFileFor, isAppUrl, secureWebPreferences } from '../../electron/main/security.ts';
import { demoDatasetDir } from '../../electron/node/app-paths.ts';
import { runIndexInWorker } from '../../electron/node/jobs/run-job.ts';
import { REPO_ROOT } from '../fixtures/cli.ts';
import { tempDir } from '../fixtures/corpus.ts';

test('the window runs the renderer isolated and sandboxed, with no Node', () => {
  const prefs = secureWebPreferences('/app/out/preload/preload.cjs');
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.nodeIntegrationInWorker, false);
  assert.equal(prefs.nodeIntegrationInSubFrames, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.allowRunningInsecureContent, false);
  assert.equal(prefs.webviewTag, false);
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'; script-src 'self'; style-src 'self'/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-(inline|eval)/);
});

test('only the app\'s own pages count as the app (navigation and IPC checks)', () => {
  assert.equal(isAppUrl(`${APP_ORIGIN}/`), true);
  assert.equal(isAppUrl(`${APP_ORIGIN}/?split=merged_balanced&pair=3`), true);
  for (const other of ['https://example.com/', 'file:///etc/passwd', 'ooc-app://evil/', 'ooc-media://local/media/thumb/1', 'javascript:alert(1)', 'not a url', '']) {
    assert.equal(isAppUrl(other), false, other);
  }
});

test('the app protocol serves the renderer files by exact name, never a path from the request', () => {
  assert.deepEqual(appFileFor(`${APP_ORIGIN}/`), { file: 'index.html', contentType: 'text/html; charset=utf-8' });
  assert.deepEqual(appFileFor(`${APP_ORIGIN}/assets/app.js`), { file: 'app.js', contentType: 'text/javascript; charset=utf-8' });
  assert.deepEqual(appFileFor(`${APP_ORIGIN}/assets/chunk-AB12cd-3.js`), { file: 'chunk-AB12cd-3.js', contentType: 'text/javascript; charset=utf-8' });
  assert.equal(appFileFor(`${APP_ORIGIN}/some/view`)?.file, 'index.html');
  const hostiles = [`${APP_ORIGIN}/assets/../../../../etc/passwd`, `${APP_ORIGIN}/assets/%2e%2e/main.mjs`, `${APP_ORIGIN}/assets/main.mjs`, `${APP_ORIGIN}/assets/chunk-../../x.js`, `${APP_ORIGIN}/assets/chunk-%2F..%2Fx.js`, `${APP_ORIGIN}/assets/sub/chunk-a.js`, 'ooc-app://other/assets/app.js'];
  for (const hostile of hostiles) {
    const found = appFileFor(hostile);
    assert.ok(found === null || found.file === 'index.html', hostile);
  }
});

test('the shell builds, and its compiled indexing worker runs', async (t) => {
  execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [path.join(REPO_ROOT, 'scripts', 'build-shell.ts')], { cwd: REPO_ROOT, stdio: 'pipe' });
  for (const file of ['main/main.mjs', 'preload/preload.cjs', 'workers/job-worker.mjs', 'renderer/index.html', 'renderer/app.js', 'renderer/app.css']) {
    assert.ok(existsSync(path.join(REPO_ROOT, 'out', file)), file);
  }
  assert.match(readFileSync(path.join(REPO_ROOT, 'out', 'preload', 'preload.cjs'), 'utf8'), /exposeInMainWorld\("ooc"/);
  const dbFile = path.join(tempDir(t), 'demo.db');
  const summary = await runIndexInWorker({ dbFile, ...demoDatasetDir() }, {}, new URL(`file://${path.join(REPO_ROOT, 'out', 'workers', 'job-worker.mjs')}`));
  assert.equal(summary.stats.items.total, 240);
});
