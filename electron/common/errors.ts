/**
 * Errors that cross the API boundary. Each carries a code the UI can act on and a message that
 * tells the user what to fix (the file, the record, what was expected).
 */

export type ErrorCode =
  | 'BAD_ARGUMENT'
  | 'NOT_FOUND'
  | 'BAD_INPUT_FILE'
  | 'PATH_OUTSIDE_ROOT'
  | 'DATABASE_TOO_NEW'
  | 'DATABASE_BUSY'
  | 'DATABASE_DAMAGED'
  | 'DATABASE_READ_ONLY'
  | 'DISK_FULL'
  | 'INDEX_MISSING'
  | 'IMAGE_MISSING'
  | 'IMAGE_CORRUPT'
  | 'CANCELLED'
  | 'MODEL_UNAVAILABLE'
  | 'MODEL_MISSING'
  | 'NETWORK'
  | 'INTERNAL';

export class OocError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OocError';
  }
}

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

/** The shape every API call returns: a value, or an error the user can act on. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof OocError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  return { code: 'INTERNAL', message: String(err) };
}
