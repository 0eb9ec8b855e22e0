import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { OocError } from '../../common/errors.ts';
import { searchText } from '../../common/search-text.ts';
import { MIGRATIONS } from './migrations/index.ts';

// Read before SQLite's addon loads: lets a database on read-only media open as `immutable`.
process.env.SQLITE_USE_URI ??= '1';

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  /**
   * better-sqlite3's compiled addon to load. It is built per runtime ABI: the desktop app passes
   * the build made for Electron, plain Node (CLI, tests) uses the default.
   */
  nativeBinding?: string;
}

/** The file each open database was opened from (better-sqlite3's `name` is the URI for immutable ones). */
const files = new WeakMap<Db, string>();
/** Why a database was opened read-only although writing was asked for. */
const readOnlyReasons = new WeakMap<Db, string>();

/** The file most recently opened in this process: a command's errors can then name it. */
let lastOpened: string | null = null;

export function lastOpenedDatabase(): string | null {
  return lastOpened;
}

export function databaseFile(db: Db): string | null {
  return files.get(db) ?? null;
}

/** Set when the database could only be opened read-only (read-only media or permissions): curation and indexing are then unavailable. */
export function readOnlyReason(db: Db): string | null {
  return readOnlyReasons.get(db) ?? null;
}

/**
 * Turns SQLite's terse errors into ones that name the database file and say what to do. Other
 * errors pass through unchanged.
 */
export function explainDatabaseError(err: unknown, file: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  const reason = err instanceof Error ? err.message : String(err);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new OocError('DATABASE_BUSY', `the database ${file} is locked by another program (an indexing or export job, another OOC Workbench, or a sqlite3 shell holding a transaction); wait for it to finish or close it, then try again`);
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new OocError('DATABASE_DAMAGED', `the database ${file} is damaged (${reason}); restore it from a backup, or move it aside and index your dataset again (curation lives in this file, so keep the damaged copy)`);
  }
  if (code === 'SQLITE_NOTADB') {
    return new OocError('BAD_INPUT_FILE', `${file} is not an OOC Workbench database (${reason}); check --db, or move the file aside`);
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new OocError('DATABASE_READ_ONLY', `the database ${file} is read-only (read-only media or no write permission): browsing and exports work, curation, indexing and embedding do not; copy it somewhere writable to change it`);
  }
  if (code.startsWith('SQLITE_FULL')) {
    return new OocError('DISK_FULL', `the disk holding ${file} is full (${reason}); free some space and try again`);
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR')) {
    return new OocError('BAD_INPUT_FILE', `cannot read the database ${file} (${reason}); check that the file and its folder exist and are readable`);
  }
  return new OocError('INTERNAL', `database ${file}: ${reason}`);
}

/** How long to wait for another program's lock before saying the database is locked (OOC_BUSY_TIMEOUT_MS; 10 s). */
function busyTimeoutMs(): number {
  const given = Number(process.env.OOC_BUSY_TIMEOUT_MS);
  return Number.isSafeInteger(given) && given >= 0 ? given : 10_000;
}

function writable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    accessSync(dirname(file), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function connect(file: string, readonly: boolean, options: OpenOptions): Db {
  return new Database(file, {
    readonly,
    fileMustExist: readonly,
    ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }),
  });
}

/**
 * A read-only connection. A WAL database on read-only media has no -shm file and cannot get one,
 * so when the plain read-only open cannot read, it is opened as immutable (nothing can change it).
 */
function connectReadOnly(file: string, options: OpenOptions): Db {
  const db = connect(file, true, options);
  try {
    db.pragma('schema_version');
    return db;
  } catch (err) {
    db.close();
    if (!String((err as { code?: unknown }).code).startsWith('SQLITE_CANTOPEN')) throw err;
    return connect(`file:${encodeURI(file).replace(/[?#]/g, encodeURIComponent)}?immutable=1`, true, options);
  }
}

/**
 * Opens (creating if needed) the workbench database and brings its schema up to date. Refuses
 * a database written by a newer version of the app instead of guessing at it. A database that
 * exists but cannot be written (read-only media, permissions) is opened read-only, and
 * {@link readOnlyReason} says so.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const memory = file === ':memory:';
  let readonly = options.readonly ?? false;
  if (!readonly && !memory && existsSync(file) && !writable(file)) {
    readonly = true;
  } else if (!readonly && !memory) {
    mkdirSync(dirname(file), { recursive: true });
  }
  if (!memory && existsSync(file) && statSync(file).isDirectory()) {
    throw new OocError('BAD_INPUT_FILE', `${file} is a folder, not a database file; give --db a file path`);
  }
  let db: Db | undefined;
  try {
    db = readonly ? connectReadOnly(file, options) : connect(file, false, options);
    db.pragma(`busy_timeout = ${busyTimeoutMs()}`);
    if (!readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');
    // The text the full-text index holds for a caption (index-tables.ts, migration 6).
    db.function('ooc_search_text', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? searchText(text) : text));
    migrate(db, file, readonly);
  } catch (err) {
    db?.close();
    throw explainDatabaseError(err, file);
  }
  files.set(db, file);
  lastOpened = file;
  if (readonly && !options.readonly) readOnlyReasons.set(db, `${file} cannot be written (read-only media or no write permission), so it was opened read-only: curation, indexing and embedding are unavailable`);
  return db;
}

/** Lets SQLite update its query planner's statistics after a large write (an index build). */
export function optimize(db: Db): void {
  db.pragma('optimize');
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
  if (readonly) throw new OocError('BAD_INPUT_FILE', `${file} needs a schema upgrade (${current} → ${latest}), which cannot be written here; open it once where it can be written`);
  for (const migration of MIGRATIONS.slice(current)) {
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}
