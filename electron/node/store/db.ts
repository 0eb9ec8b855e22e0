import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { OocError } from '../../common/errors.ts';
import { MIGRATIONS } from './migrations/index.ts';

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  /**
   * better-sqlite3's compiled addon to load. It is built per runtime ABI: the desktop app passes
   * the build made for Electron, plain Node (CLI, tests) uses the default.
   */
  nativeBinding?: string;
}

/**
 * Opens (creating if needed) the workbench database and brings its schema up to date.
 * Refuses a database written by a newer version of the app instead of guessing at it.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (!options.readonly && file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  let db: Db;
  try {
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
      ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }),
    });
    db.pragma('busy_timeout = 10000');
    if (!options.readonly) db.pragma('journal_mode = WAL');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new OocError('BAD_INPUT_FILE', `cannot open database ${file}: ${reason}`);
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  try {
    migrate(db, file, options.readonly ?? false);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, file: string, readonly: boolean): void {
  const latest = MIGRATIONS.length;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new OocError(
      'DATABASE_TOO_NEW',
      `${file} was written by a newer OOC Workbench (schema ${current}, this version knows up to ${latest}); update the app or use another --db`,
    );
  }
  if (current === latest) return;
  if (readonly) throw new OocError('BAD_INPUT_FILE', `${file} needs a schema upgrade (${current} → ${latest}); open it once without read-only`);
  for (const migration of MIGRATIONS.slice(current)) {
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}
