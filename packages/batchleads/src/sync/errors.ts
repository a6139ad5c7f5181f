// Which failures stop the whole import (the state stays resumable) and which only fail one lead.
import { HighLevelError } from "@hlconnect/client";

/** The import stopped before the end; running the same command again finishes it. */
export class ImportStoppedError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ImportStoppedError";
  }
}

/**
 * A lead's own problem: HighLevel refused this lead's data (400/422) or the answer to a
 * create was lost. Anything else (reconnect needed, daily limit, wrong token or scope, the server
 * unreachable or failing) would fail every lead after it, so it stops the import.
 */
export function isLeadError(err: unknown): boolean {
  if (!(err instanceof HighLevelError)) return false;
  if (err.code === "UNKNOWN_OUTCOME") return true;
  return err.code === "HTTP_ERROR" && (err.status === 400 || err.status === 422);
}

export function describeError(err: unknown): string {
  if (err instanceof HighLevelError) {
    const extra =
      err.messages.length && !err.message.includes(err.messages[0]!) ? `: ${err.messages.join("; ")}` : "";
    return `${err.message}${extra}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** What to tell the person when the import has to stop. */
export function stopMessage(err: unknown): string {
  if (err instanceof HighLevelError) {
    switch (err.code) {
      case "RECONNECT_NEEDED":
        return `${err.message}. Reconnect, then run the same import again: it continues where it stopped.`;
      case "DAILY_LIMIT_EXHAUSTED":
        return `${err.message}. Run the same import again after that: it continues where it stopped.`;
      case "MISSING_SCOPE":
      case "WRONG_TOKEN_TYPE":
        return `${err.message}. Use a token with the contacts and custom field scopes, then run the import again.`;
      default:
        if (err.status === 401) {
          return `HighLevel refused the token (401): check HIGHLEVEL_TOKEN. ${describeError(err)}`;
        }
        if (err.status === 403) {
          return `HighLevel refused access (403): check that the token belongs to the location. ${describeError(err)}`;
        }
    }
  }
  return `${describeError(err)}. Run the same import again to continue where it stopped.`;
}
