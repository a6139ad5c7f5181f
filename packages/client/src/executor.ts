// The request loop: rate limit, authorize, send, re-sync the limiter, then decide between returning,
// waiting out a 429, retrying, refreshing the token, or failing with the most truthful error.
import { DailyLimitError, errorFromResponse, HighLevelError, UnknownOutcomeError } from "./errors.ts";
import type { RateLimiter } from "./rate-limit/limiter.ts";
import { redact, redactValue, registerSecret } from "./redact.ts";
import { backoffDelay, DEFAULT_RETRY, type RetryOptions, sleep as realSleep, type Sleep } from "./retry.ts";
import { type PreparedRequest, send, TransportError, type TransportResponse } from "./transport.ts";

/** pino-style: structured fields first, message second. */
export interface ExecutorLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface ExecutorDeps {
  limiter: RateLimiter;
  retry?: Partial<RetryOptions>;
  /** Per attempt. */
  timeoutMs: number;
  /** The bearer token for this attempt. */
  authorize: () => Promise<string>;
  /**
   * After a 401: true when a fresh token was obtained; the request is then tried once more. Gets the token
   * the rejected attempt carried: by the time a 401 arrives another request may already have refreshed it.
   */
  onUnauthorized?: (rejectedToken: string) => Promise<boolean>;
  fetch?: typeof fetch;
  /** Backoff sleep (429 waits happen inside limiter.acquire). */
  sleep?: Sleep;
  random?: () => number;
  logger?: ExecutorLogger;
  signal?: AbortSignal;
}

type Level = keyof ExecutorLogger;

function log(
  logger: ExecutorLogger | undefined,
  level: Level,
  obj: Record<string, unknown>,
  msg: string,
): void {
  if (!logger) return;
  logger[level](redactValue(obj) as Record<string, unknown>, redact(msg));
}

export async function executeRequest(req: PreparedRequest, deps: ExecutorDeps): Promise<TransportResponse> {
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...deps.retry };
  const sleep = deps.sleep ?? realSleep;
  const random = deps.random ?? Math.random;
  const { limiter, logger, signal } = deps;
  const ctx = { operationId: req.operationId, method: req.method, bucket: req.bucket };

  let attempts = 0; // failed attempts that count against maxAttempts (not 429s, not the 401 refresh)
  let waits429 = 0;
  let refreshed = false;

  /** Count a failed attempt; back off and return true when another one is allowed. */
  const backoff = async (fields: Record<string, unknown>, why: string): Promise<boolean> => {
    attempts++;
    if (attempts >= retry.maxAttempts) return false;
    const delayMs = backoffDelay(attempts, retry, random);
    log(logger, "warn", { ...ctx, ...fields, attempt: attempts, delayMs }, `${why}; retrying`);
    await sleep(delayMs, signal);
    return true;
  };

  for (;;) {
    try {
      await limiter.acquire(req.bucket, signal ? { signal } : {});
    } catch (err) {
      // The limiter does not know which operation asked.
      if (err instanceof DailyLimitError && !err.operationId)
        throw new DailyLimitError(err.resetAt, req.operationId);
      throw err;
    }

    let res: TransportResponse;
    let token: string;
    try {
      token = await deps.authorize();
      // Whatever the token's format, redact() now scrubs it from every message and log line.
      registerSecret(token);
      res = await send(
        { ...req, headers: { ...req.headers, Authorization: `Bearer ${token}` } },
        {
          timeoutMs: deps.timeoutMs,
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
          ...(signal ? { signal } : {}),
        },
      );
    } catch (err) {
      await limiter.release?.(req.bucket);
      if (!(err instanceof TransportError)) throw err;
      if (!req.safeToRepeat && err.sentUncertain) {
        log(logger, "warn", { ...ctx, code: err.code }, `${err.message}; not repeated`);
        throw new UnknownOutcomeError(req.operationId, err);
      }
      // Safe to repeat, or nothing reached the server (connection refused, DNS): trying again is harmless.
      if (await backoff({ code: err.code, systemCode: err.systemCode }, err.message)) continue;
      throw err;
    }

    await limiter.update(req.bucket, res.headers);
    const { status } = res;
    if (status >= 200 && status < 300) {
      log(
        logger,
        "debug",
        { ...ctx, status, attempt: attempts + 1 },
        `${req.operationId} answered ${status}`,
      );
      return res;
    }

    if (status === 429) {
      await limiter.onRateLimited(req.bucket, res.headers);
      waits429++;
      if (waits429 > retry.max429Waits) {
        const last = errorFromResponse(status, redactValue(res.body), req.operationId, true);
        throw new HighLevelError(
          `${req.operationId}: still rate limited (429) after waiting ${retry.max429Waits} times`,
          {
            code: "RATE_LIMITED",
            status,
            messages: last.messages,
            ...(last.traceId ? { traceId: last.traceId } : {}),
            operationId: req.operationId,
            retryable: true,
            body: last.body,
          },
        );
      }
      // The wait itself happens in the next acquire(): the limiter now holds the bucket.
      log(
        logger,
        "info",
        { ...ctx, status, waits429 },
        `${req.operationId} rate limited; waiting for the window`,
      );
      continue;
    }

    if (status === 401 && deps.onUnauthorized && !refreshed) {
      refreshed = true;
      if (await deps.onUnauthorized(token)) {
        log(
          logger,
          "info",
          { ...ctx, status },
          `${req.operationId} got 401; retrying once with a fresh token`,
        );
        continue;
      }
    }

    // 501 Not Implemented and 505 will answer the same again; the others are passing trouble.
    const transient = status >= 500 && status !== 501 && status !== 505;
    // A 5xx is an answer, not a missing one: the outcome is known, so no UnknownOutcomeError even when unsafe.
    if (
      transient &&
      req.safeToRepeat &&
      (await backoff({ status }, `${req.operationId} answered ${status}`))
    ) {
      continue;
    }
    throw errorFromResponse(status, redactValue(res.body), req.operationId, transient);
  }
}
