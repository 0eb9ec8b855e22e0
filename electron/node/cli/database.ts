import { defaultDatabasePath } from '../app-paths.ts';
import { openDatabase, readOnlyReason, type Db, type OpenOptions } from '../store/db.ts';

/** The database a command works on: --db, or the app-data default. */
export function commandDatabaseFile(values: Record<string, string | boolean | undefined>): string {
  const given = values.db;
  return typeof given === 'string' && given.length > 0 ? given : defaultDatabasePath();
}

/** Opens a database for a command, saying on stderr when it could only be opened read-only. */
export function openForCommand(file: string, options: OpenOptions = {}): Db {
  const db = openDatabase(file, options);
  const readOnly = readOnlyReason(db);
  if (readOnly !== null) process.stderr.write(`note: ${readOnly}\n`);
  return db;
}

/** The command's own database (--db or the default), opened with {@link openForCommand}. */
export function openCommandDatabase(values: Record<string, string | boolean | undefined>, options: OpenOptions = {}): Db {
  return openForCommand(commandDatabaseFile(values), options);
}
