// A RateLimiter shared by every process through Redis: one atomic script per request decides, on the
// Redis server's clock (so processes with skewed clocks agree), whether the bucket (app + location) may
// send now. A sliding window of requests (100 per 10 s by default) and a daily budget, re-synced from the
// X-RateLimit-* headers of the answers as the in-memory limiter is. The client does not depend on a
// Redis library: the caller passes anything with ioredis' eval signature.
//
// A request holds its place in the window from its grant until its answer, and counts from when the
// answer came back, not from when it was granted: the server counted it somewhere in between, so a
// place freed one window after the answer is always free on the server's side too, however late a busy
// network or machine delivered the request. (Counting from the grant needs a slack as large as the
// worst delivery delay: any request that arrived later than that was counted twice in one of the
// server's windows, and answered 429.)
import { DailyLimitError } from "../errors.ts";
import { sleep as realSleep, type Sleep } from "../retry.ts";
import { type HeadersLike, parseRateLimitHeaders, type RateLimiter } from "./limiter.ts";

/** The one command the limiter needs (ioredis' `eval` has this shape). */
export interface RedisScriptClient {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

export interface RedisRateLimiterOptions {
  redis: RedisScriptClient;
  /** Key prefix (default "hlconnect"). */
  prefix?: string;
  /** Until an answer reports X-RateLimit-Max (default 100). */
  maxPerWindow?: number;
  /** Until an answer reports X-RateLimit-Interval-Milliseconds (default 10,000). */
  windowMs?: number;
  /** Until an answer reports X-RateLimit-Limit-Daily (default 200,000). */
  dailyLimit?: number;
  /**
   * Added to the window when counting (default 50 ms). Requests count from their answers, so delivery
   * delays, however long, need none of it (it was 250 ms for them when requests counted from their
   * grants); it covers the clocks' rounding to milliseconds.
   */
  slackMs?: number;
  /**
   * How long a granted request without an answer (update/release never called: its process died)
   * keeps its place (default 60 s, past the client's request timeout), then counts as answered then.
   */
  inFlightMs?: number;
  sleep?: Sleep;
}

// The window's members are request ids; a request in flight is scored at its grant + inFlightMs (kept
// until answered), an answered one at its answer's time. Entries older than the window are dropped.
// KEYS: window zset, state hash. ARGV: grant id, default max, default interval, default daily, slack,
// in-flight ms. Returns {0} granted, {1, ms} wait, {2, ms} daily budget spent until reset.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[2], 'max', 'interval', 'daily', 'used', 'resetAt', 'holdUntil')
local max = tonumber(s[1]) or tonumber(ARGV[2])
local interval = tonumber(s[2]) or tonumber(ARGV[3])
local daily = tonumber(s[3]) or tonumber(ARGV[4])
local used = tonumber(s[4]) or 0
local resetAt = tonumber(s[5]) or 0
local hold = tonumber(s[6]) or 0
local span = interval + tonumber(ARGV[5])
if now >= resetAt then
  used = 0
  resetAt = now - (now % 86400000) + 86400000
  redis.call('HSET', KEYS[2], 'used', 0, 'resetAt', resetAt)
end
if used >= daily then return {2, resetAt - now} end
if hold > now then return {1, hold - now} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
if redis.call('ZCARD', KEYS[1]) >= max then
  -- The oldest answered request frees its place one span after its answer; when every place is held
  -- by a request in flight, none frees sooner than one span from now.
  local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
  if oldest > now then return {1, span + 1} end
  return {1, math.max(1, oldest + span - now + 1)}
end
local inflight = tonumber(ARGV[6])
redis.call('ZADD', KEYS[1], now + inflight, ARGV[1])
redis.call('HINCRBY', KEYS[2], 'used', 1)
redis.call('PEXPIRE', KEYS[1], inflight + span * 2)
redis.call('PEXPIRE', KEYS[2], 172800000)
return {0}`;

// An answer (or a request ended without one): the request counts from now. KEYS: window zset, state
// hash. ARGV: the request's id ('' when none is in flight), max, interval, daily, remaining,
// dailyRemaining ('' when absent), slack, in-flight ms, then the default max, interval and daily budget.
// The server's view wins when it has counted more than we did (another client on the same app and
// location, or answers arriving out of order: the lowest Remaining is kept); only then does its
// Remaining=0 hold the bucket for a window: when our own requests fill the window, their places
// already free no sooner than one window after their answers.
const UPDATE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[2] ~= '' then redis.call('HSET', KEYS[2], 'max', ARGV[2]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], 'interval', ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], 'daily', ARGV[4]) end
local s = redis.call('HMGET', KEYS[2], 'max', 'interval', 'daily', 'used')
local max = tonumber(s[1]) or tonumber(ARGV[9])
local interval = tonumber(s[2]) or tonumber(ARGV[10])
local span = interval + tonumber(ARGV[7])
local ttl = tonumber(ARGV[8]) + span * 2
if ARGV[1] ~= '' then
  redis.call('ZADD', KEYS[1], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
if ARGV[5] ~= '' then
  local remaining = tonumber(ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
  local missing = (max - remaining) - redis.call('ZCARD', KEYS[1])
  for i = 1, missing do redis.call('ZADD', KEYS[1], now, 'server:' .. now .. ':' .. i) end
  if remaining <= 0 and missing > 0 then redis.call('HSET', KEYS[2], 'holdUntil', now + interval) end
  redis.call('PEXPIRE', KEYS[1], ttl)
end
local daily = tonumber(s[3]) or tonumber(ARGV[11])
if ARGV[6] ~= '' then
  local spent = daily - tonumber(ARGV[6])
  if spent > (tonumber(s[4]) or 0) then redis.call('HSET', KEYS[2], 'used', spent) end
end
return 1`;

// KEYS: state hash. ARGV: hold ms (default: the window).
const HOLD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(redis.call('HGET', KEYS[1], 'interval')) or tonumber(ARGV[1])
redis.call('HSET', KEYS[1], 'holdUntil', now + interval)
return 1`;

let grants = 0;

export class RedisRateLimiter implements RateLimiter {
  readonly #redis: RedisScriptClient;
  readonly #prefix: string;
  readonly #max: number;
  readonly #windowMs: number;
  readonly #daily: number;
  readonly #slackMs: number;
  readonly #inFlightMs: number;
  readonly #sleep: Sleep;
  /**
   * Per bucket, the ids of this process's requests granted and not yet answered, oldest first. An
   * answer does not say which request it answers; any one will do, since only how many places are
   * held, and from when, decides.
   */
  readonly #inFlight = new Map<string, string[]>();

  constructor(options: RedisRateLimiterOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? "hlconnect";
    this.#max = options.maxPerWindow ?? 100;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#daily = options.dailyLimit ?? 200_000;
    this.#slackMs = options.slackMs ?? 50;
    this.#inFlightMs = options.inFlightMs ?? 60_000;
    this.#sleep = options.sleep ?? realSleep;
  }

  #keys(bucket: string): [string, string] {
    return [`${this.#prefix}:rl:${bucket}:grants`, `${this.#prefix}:rl:${bucket}:state`];
  }

  async acquire(bucket: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const [window, state] = this.#keys(bucket);
    for (;;) {
      opts.signal?.throwIfAborted();
      const id = `${process.pid}:${++grants}:${Math.random().toString(36).slice(2, 8)}`;
      const [code, ms] = (await this.#redis.eval(
        ACQUIRE,
        2,
        window,
        state,
        id,
        this.#max,
        this.#windowMs,
        this.#daily,
        this.#slackMs,
        this.#inFlightMs,
      )) as [number, number?];
      if (code === 0) {
        const ids = this.#inFlight.get(bucket);
        if (ids) ids.push(id);
        else this.#inFlight.set(bucket, [id]);
        return;
      }
      if (code === 2) {
        throw new DailyLimitError(new Date(Date.now() + (ms ?? 0)));
      }
      await this.#sleep(Math.max(1, ms ?? 1), opts.signal);
    }
  }

  /** One of this process's requests in flight for the bucket, now answered (or given up). */
  #answered(bucket: string): string {
    const ids = this.#inFlight.get(bucket);
    const id = ids?.shift();
    if (ids && ids.length === 0) this.#inFlight.delete(bucket);
    return id ?? "";
  }

  /** An answer came: its request counts from now, and its headers re-sync the bucket. */
  async update(bucket: string, headers: HeadersLike | undefined): Promise<void> {
    await this.#report(bucket, this.#answered(bucket), headers);
  }

  /** A request ended without an answer: it may have reached the server, so it too counts from now. */
  async release(bucket: string): Promise<void> {
    await this.#report(bucket, this.#answered(bucket), undefined);
  }

  async onRateLimited(bucket: string, headers?: HeadersLike): Promise<void> {
    // The executor has reported this answer through update() already: re-sync only, answer nothing.
    await this.#report(bucket, "", headers);
    await this.#redis.eval(HOLD, 1, this.#keys(bucket)[1], this.#windowMs);
  }

  async #report(bucket: string, id: string, headers: HeadersLike | undefined): Promise<void> {
    const h = parseRateLimitHeaders(headers);
    if (!id && Object.keys(h).length === 0) return;
    const [window, state] = this.#keys(bucket);
    const text = (n: number | undefined) => (n === undefined ? "" : String(n));
    await this.#redis.eval(
      UPDATE,
      2,
      window,
      state,
      id,
      text(h.max),
      text(h.intervalMs),
      text(h.dailyLimit),
      text(h.remaining),
      text(h.dailyRemaining),
      this.#slackMs,
      this.#inFlightMs,
      this.#max,
      this.#windowMs,
      this.#daily,
    );
  }
}
