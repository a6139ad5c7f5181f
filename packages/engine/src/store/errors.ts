// Errors every Store adapter throws, so callers (API, CLI, runner) can react without knowing the adapter.

export type StoreErrorCode = "not_found" | "conflict" | "invalid" | "unavailable";

export class StoreError extends Error {
  override readonly name: string = "StoreError";
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The record named does not exist. */
export class NotFoundError extends StoreError {
  override readonly name = "NotFoundError";
  constructor(what: string, id: string) {
    super("not_found", `${what} "${id}" does not exist`);
  }
}

/** The record is not in a state that allows the change (e.g. finishing a finished run). */
export class ConflictError extends StoreError {
  override readonly name = "ConflictError";
  constructor(message: string) {
    super("conflict", message);
  }
}

/** A value handed to the store is not acceptable; the message says which and why. */
export class InvalidInputError extends StoreError {
  override readonly name = "InvalidInputError";
  constructor(message: string) {
    super("invalid", message);
  }
}

/** A lock could not be obtained in time. */
export class LockTimeoutError extends StoreError {
  override readonly name = "LockTimeoutError";
  constructor(lock: string, waitedMs: number) {
    super("unavailable", `timed out after ${Math.round(waitedMs / 1000)} s waiting for lock "${lock}"`);
  }
}
