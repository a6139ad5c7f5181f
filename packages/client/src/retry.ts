// Retry policy: how long to back off, and which requests may be sent twice without harm.
import type { OperationSpec } from "./operation.ts";

export interface RetryOptions {
  /** Attempts per call for 5xx / network / timeout failures, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** 429 answers waited out per call; they do not count as attempts, so this bound stops an endless loop. */
  max429Waits: number;
}

export const DEFAULT_RETRY: RetryOptions = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  max429Waits: 20,
});

/**
 * Delay before the next try after `attempt` failed attempts (1 = the first one failed):
 * exponential backoff with full jitter, uniform in [0, min(maxDelayMs, baseDelayMs * 2^(attempt-1))).
 * Full jitter spreads many clients that failed together, instead of letting them retry in lockstep.
 */
export function backoffDelay(
  attempt: number,
  opts: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs">,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // Cap the exponent so 2^n cannot overflow to Infinity for absurd attempt counts.
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.min(exponent, 52));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.max(0, Math.floor(r * ceiling));
}

const ALWAYS_SAFE = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);
const REPEATABLE_WORDS = new Set(["upsert", "search"]);

function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/);
}

/**
 * Whether sending the request twice has the same effect as sending it once. GET/PUT/DELETE/HEAD are
 * idempotent; a POST/PATCH is only when it is an upsert or a search (matched as a whole word of the
 * operationId or path, so "research" does not count). Any other POST/PATCH may create a duplicate.
 */
export function isSafeToRepeat(op: Pick<OperationSpec, "method" | "operationId" | "path">): boolean {
  const method = String(op.method).toUpperCase();
  if (ALWAYS_SAFE.has(method)) return true;
  return [...words(op.operationId), ...words(op.path)].some((w) => REPEATABLE_WORDS.has(w));
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** setTimeout as a promise; rejects with the signal's reason when aborted. */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
