// A RateLimiter shared by every process through Redis: one atomic script per request decides, on the
// Redis server's clock (so processes with skewed clocks agree), whether the bucket (app + location) may
// send now. A sliding window of grants (100 per 10 s by default) and a daily budget, re-synced from the
// X-RateLimit-* headers of the answers as the in-memory limiter is. The client does not depend on a
// Redis library: the caller passes anything with ioredis' eval signature.
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
   * Added to the window when counting (default 250 ms): a request granted now reaches HighLevel a
   * little later, by a delay that varies; counting over a slightly longer window keeps that jitter
   * from putting one request too many in the server's window.
   */
  slackMs?: number;
  sleep?: Sleep;
}

// KEYS: window zset, state hash. ARGV: grant id, default max, default interval, default daily, slack.
// Returns {0} granted, {1, ms} wait, {2, ms} daily budget spent until reset.
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
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {1, math.max(1, tonumber(oldest[2]) + span - now + 1)}
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('HINCRBY', KEYS[2], 'used', 1)
redis.call('PEXPIRE', KEYS[1], span * 2)
redis.call('PEXPIRE', KEYS[2], 172800000)
return {0}`;

// KEYS: window zset, state hash. ARGV: max, interval, daily, remaining, dailyRemaining ('' when absent),
// slack, then the default max, interval and daily budget.
// The server's view wins when it has counted more than we did (another client on the same app and
// location, or answers arriving out of order: the lowest Remaining is kept).
const UPDATE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[1] ~= '' then redis.call('HSET', KEYS[2], 'max', ARGV[1]) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[2], 'interval', ARGV[2]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], 'daily', ARGV[3]) end
local s = redis.call('HMGET', KEYS[2], 'max', 'interval', 'daily', 'used')
local max = tonumber(s[1]) or tonumber(ARGV[7])
local interval = tonumber(s[2]) or tonumber(ARGV[8])
if ARGV[4] ~= '' then
  local remaining = tonumber(ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - interval - tonumber(ARGV[6]))
  local missing = (max - remaining) - redis.call('ZCARD', KEYS[1])
  for i = 1, missing do redis.call('ZADD', KEYS[1], now, 'server:' .. now .. ':' .. i) end
  if remaining <= 0 then redis.call('HSET', KEYS[2], 'holdUntil', now + interval) end
  redis.call('PEXPIRE', KEYS[1], interval * 2)
end
local daily = tonumber(s[3]) or tonumber(ARGV[9])
if ARGV[5] ~= '' then
  local spent = daily - tonumber(ARGV[5])
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
  readonly #sleep: Sleep;

  constructor(options: RedisRateLimiterOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? "hlconnect";
    this.#max = options.maxPerWindow ?? 100;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#daily = options.dailyLimit ?? 200_000;
    this.#slackMs = options.slackMs ?? 250;
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
      )) as [number, number?];
      if (code === 0) return;
      if (code === 2) {
        throw new DailyLimitError(new Date(Date.now() + (ms ?? 0)));
      }
      await this.#sleep(Math.max(1, ms ?? 1), opts.signal);
    }
  }

  async update(bucket: string, headers: HeadersLike | undefined): Promise<void> {
    const h = parseRateLimitHeaders(headers);
    if (Object.keys(h).length === 0) return;
    const [window, state] = this.#keys(bucket);
    const text = (n: number | undefined) => (n === undefined ? "" : String(n));
    await this.#redis.eval(
      UPDATE,
      2,
      window,
      state,
      text(h.max),
      text(h.intervalMs),
      text(h.dailyLimit),
      text(h.remaining),
      text(h.dailyRemaining),
      this.#slackMs,
      this.#max,
      this.#windowMs,
      this.#daily,
    );
  }

  async onRateLimited(bucket: string, headers?: HeadersLike): Promise<void> {
    await this.update(bucket, headers);
    await this.#redis.eval(HOLD, 1, this.#keys(bucket)[1], this.#windowMs);
  }
}
