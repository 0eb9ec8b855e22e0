import { defaultDatabasePath } from '../app-paths.ts';
import { openDatabase, readOnlyReason, type Db, type OpenOptions } from '../store/db.ts';

/** The database a command works on: --db, or the app-data default. */
export function commandDatabaseFile(values: Record<string, string | boolean | undefined>): string {
  const given = values.db;
  return typeof given === 'string' && given.length > 0 ? given : defaultDatabasePath();
}

/** Opens the command's database, saying on stderr when it could only be opened read-only. */
export function openCommandDatabase(values: Record<string, string | boolean | undefined>, options: OpenOptions = {}): Db {
  const db = openDatabase(commandDatabaseFile(values), options);
  const readOnly = readOnlyReason(db);
  if (readOnly !== null) process.stderr.write(`note: ${readOnly}\n`);
  return db;
}
