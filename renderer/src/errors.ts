import type { ErrorCode } from '../../electron/common/errors.ts';

/** What to do about a failure, by its code (the message says what went wrong). */
const ADVICE: Partial<Record<ErrorCode, string>> = {
  INDEX_MISSING: 'Index a dataset first, in the Dataset view.',
  DATABASE_BUSY: 'Another job is using the database: see Jobs, and wait for it or cancel it.',
  DATABASE_READ_ONLY: 'This database cannot be written here: open a copy where it can.',
  DATABASE_DAMAGED: 'Index again into a new database file; keep the old one, it holds your verdicts and tags.',
  DATABASE_TOO_NEW: 'Update OOC Workbench to open this database.',
  DISK_FULL: 'Free some disk space and try again.',
  MODEL_MISSING: 'Install a model (Models view; see models/README.md).',
  MODEL_UNAVAILABLE: 'Choose another model or execution provider in the Models view.',
  PATH_OUTSIDE_ROOT: 'The file lies outside the dataset folder (through a link?), so it is never read.',
  NETWORK: 'Check the network connection and try again.',
};

/** An error's message, followed by what to do about it when its code says. */
export function describeError(err: { message: string; code?: ErrorCode | undefined }): string {
  const advice = err.code === undefined ? undefined : ADVICE[err.code];
  return advice === undefined ? err.message : `${err.message.replace(/\.$/, '')}. ${advice}`;
}
