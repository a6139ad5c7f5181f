// How the suites drive a client: a pool of concurrent workers over a list of jobs (the loop a user
// writes around either client), and the official SDK pointed at a sandbox.
import { HighLevel } from "@gohighlevel/api-client";

export interface PoolResult {
  seconds: number;
  /** Jobs whose call rejected, with the first few messages. */
  failed: number;
  errors: string[];
}

/** Run `job(i)` for i in [0, total) with `concurrency` workers; a rejection counts as one failed job. */
export async function runPool(
  total: number,
  concurrency: number,
  job: (i: number) => Promise<unknown>,
): Promise<PoolResult> {
  let next = 0;
  let failed = 0;
  const errors: string[] = [];
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      try {
        await job(i);
      } catch (err) {
        failed++;
        if (errors.length < 3) errors.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { seconds: (performance.now() - started) / 1000, failed, errors };
}

/** The official SDK with a Private Integration Token, its base URL pointed at the sandbox. */
export function sdkFor(baseUrl: string, token: string, rateLimitRetry: boolean): HighLevel {
  // The SDK reads its base URL from a static; pointing it at the sandbox is all it needs.
  (HighLevel as unknown as { BASE_URL: string }).BASE_URL = baseUrl;
  return new HighLevel({ privateIntegrationToken: token, rateLimitRetry, logLevel: "error" });
}

/**
 * The SDK logs every 429 retry on the console whatever its logLevel; keep the table readable by
 * silencing console.warn/error while `fn` runs.
 */
export async function quietConsole<T>(fn: () => Promise<T>): Promise<T> {
  const { warn, error } = console;
  console.warn = () => {};
  console.error = () => {};
  try {
    return await fn();
  } finally {
    console.warn = warn;
    console.error = error;
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
