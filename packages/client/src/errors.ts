// One error family for everything the client can fail with. Every message passes through
// redact(), so a token can never leak through an error, whatever put it there.
import { redact, redactValue } from "./redact.ts";

export type HighLevelErrorCode =
  | "HTTP_ERROR" // HighLevel answered with a non-2xx status
  | "NETWORK_ERROR" // no answer: connection refused/reset, DNS
  | "TIMEOUT" // no answer within the configured time
  | "UNKNOWN_OUTCOME" // an unsafe request went out and no answer came back: reconcile, do not repeat
  | "RATE_LIMITED" // 429s kept coming past the retry budget
  | "DAILY_LIMIT_EXHAUSTED" // the location's daily budget is spent until resetAt
  | "RECONNECT_NEEDED" // the OAuth connection cannot be refreshed any more
  | "MISSING_SCOPE" // the connection lacks a scope the operation needs
  | "WRONG_TOKEN_TYPE" // e.g. a location token on an agency-only operation
  | "INVALID_REQUEST" // the parameters do not fit the operation (found before any request)
  | "UNKNOWN_OPERATION"
  | "PAGINATION_LOOP" // a cursor repeated or a page limit was passed
  | "WEBHOOK_SIGNATURE"; // a webhook failed verification

export interface HighLevelErrorInit {
  code: HighLevelErrorCode;
  status?: number;
  /** HighLevel's message(s): 422 bodies carry an array. */
  messages?: string[];
  traceId?: string;
  operationId?: string;
  retryable?: boolean;
  /** The raw body HighLevel answered with, when it is JSON (redacted). */
  body?: unknown;
  cause?: unknown;
}

export class HighLevelError extends Error {
  readonly code: HighLevelErrorCode;
  readonly status: number | undefined;
  readonly messages: string[];
  readonly traceId: string | undefined;
  readonly operationId: string | undefined;
  readonly retryable: boolean;
  readonly body: unknown;

  constructor(message: string, init: HighLevelErrorInit) {
    super(redact(message), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "HighLevelError";
    this.code = init.code;
    this.status = init.status;
    this.messages = (init.messages ?? []).map(redact);
    this.traceId = init.traceId;
    this.operationId = init.operationId;
    this.retryable = init.retryable ?? false;
    this.body = redactValue(init.body);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      messages: this.messages,
      traceId: this.traceId,
      operationId: this.operationId,
      retryable: this.retryable,
    };
  }
}

export class DailyLimitError extends HighLevelError {
  readonly resetAt: Date;
  constructor(resetAt: Date, operationId?: string) {
    super(`Daily request budget exhausted for this location; it resets at ${resetAt.toISOString()}`, {
      code: "DAILY_LIMIT_EXHAUSTED",
      status: 429,
      operationId,
      retryable: false,
    });
    this.name = "DailyLimitError";
    this.resetAt = resetAt;
  }
}

export class ReconnectNeededError extends HighLevelError {
  constructor(reason: string, cause?: unknown) {
    super(`HighLevel connection needs to be reconnected: ${reason}`, {
      code: "RECONNECT_NEEDED",
      retryable: false,
      cause,
    });
    this.name = "ReconnectNeededError";
  }
}

export class UnknownOutcomeError extends HighLevelError {
  constructor(operationId: string, cause: unknown) {
    super(
      `${operationId}: the request was sent but no answer came back, so it is unknown whether it took effect; ` +
        "it was not repeated. Check (reconcile) before trying again.",
      { code: "UNKNOWN_OUTCOME", operationId, retryable: false, cause },
    );
    this.name = "UnknownOutcomeError";
  }
}

/** Build the error for a non-2xx answer from HighLevel's body (any of its shapes). */
export function errorFromResponse(
  status: number,
  body: unknown,
  operationId: string | undefined,
  retryable: boolean,
): HighLevelError {
  let messages: string[] = [];
  let traceId: string | undefined;
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    const m = b.message ?? b.msg ?? b.error_description ?? b.error;
    if (Array.isArray(m)) messages = m.map(String);
    else if (typeof m === "string") messages = [m];
    if (typeof b.traceId === "string") traceId = b.traceId;
  } else if (typeof body === "string" && body.trim()) {
    messages = [body.trim().slice(0, 500)];
  }
  const what = messages.length ? messages.join("; ") : `HTTP ${status}`;
  return new HighLevelError(`${operationId ?? "request"} failed with ${status}: ${what}`, {
    code: "HTTP_ERROR",
    status,
    messages,
    traceId,
    operationId,
    retryable,
    body,
  });
}
