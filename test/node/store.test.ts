import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase, schemaVersion } from '../../electron/node/store/db.ts';
import { MIGRATIONS } from '../../electron/node/store/migrations/index.ts';
import { claimJob, finishJob } from '../../electron/node/store/jobs.ts';
import { tempDir, writeText } from '../fixtures/corpus.ts';

test('a new database is created in WAL mode at the latest schema version', (t) => {
  const file = path.join(tempDir(t), 'nested', 'folder', 'w.db');
  const db = openDatabase(file);
  assert.equal(schemaVersion(db), MIGRATIONS.length);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
  const again = openDatabase(file);
  assert.equal(schemaVersion(again), MIGRATIONS.length);
  again.close();
});

test('a database from a newer version of the app is refused, untouched', (t) => {
  const file = path.join(tempDir(t), 'newer.db');
  const raw = new Database(file);
  raw.pragma(`user_version = ${MIGRATIONS.length + 5}`);
  raw.exec('CREATE TABLE future (x)');
  raw.close();
  assert.throws(() => openDatabase(file), { code: 'DATABASE_TOO_NEW', message: /newer OOC Workbench/ });
  const check = new Database(file);
  assert.equal(check.pragma('user_version', { simple: true }), MIGRATIONS.length + 5);
  check.close();
});

test('a file that is not a database gives a clear error naming it', (t) => {
  const file = writeText(path.join(tempDir(t), 'notes.db'), 'this is not sqlite, just text '.repeat(200));
  assert.throws(() => openDatabase(file), (err: Error & { code?: string }) => err.code === 'BAD_INPUT_FILE' && err.message.includes(file));
});

test('a job held by a live process is refused; one left by a dead process is resumed', (t) => {
  const db = openDatabase(path.join(tempDir(t), 'jobs.db'));
  const first = claimJob(db, 'index', {});
  assert.equal(first.resumed, false);
  db.prepare('UPDATE jobs SET pid = ? WHERE id = ?').run(process.ppid, first.job.id); // alive, and not us
  assert.throws(() => claimJob(db, 'index', {}), { code: 'DATABASE_BUSY' });
  db.prepare('UPDATE jobs SET pid = ? WHERE id = ?').run(2 ** 22 + 12345, first.job.id); // no such process
  const second = claimJob(db, 'index', {});
  assert.equal(second.resumed, true);
  assert.equal(second.job.id, first.job.id);
  finishJob(db, second.job.id, 'done');
  assert.equal(claimJob(db, 'index', {}).resumed, false);
  db.close();
});
