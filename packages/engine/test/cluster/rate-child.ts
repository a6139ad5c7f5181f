// One process of the shared rate limit test: a HighLevelClient per bucket (one PIT each), all sharing one
// RedisRateLimiter, `calls` requests per bucket at once. Prints {ok, errors}.
import { HighLevelClient, RedisRateLimiter } from "@hlconnect/client";
import { Redis } from "ioredis";
import { readyThenGo } from "./children.ts";

const [redisUrl, prefix, baseUrl, locationId, tokens, calls] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const redis = new Redis(redisUrl);
// The sandbox's compressed window (20 per 5 s) from the start, as HighLevel's 100 per 10 s is the default;
// the slack covers the time from a grant to the sandbox counting the request: on this loaded 2-core
// machine a burst of 200 requests is counted up to ~2 s late (HighLevel counts on arrival, ~0.1 s).
const limiter = new RedisRateLimiter({ redis, prefix, maxPerWindow: 20, windowMs: 5000, slackMs: 2500 });
const clients = tokens
  .split(",")
  .map((token) => new HighLevelClient({ credentials: token, locationId, baseUrl, limiter }));
await readyThenGo();
const results = await Promise.allSettled(
  clients.flatMap((client) =>
    Array.from({ length: Number(calls) }, () => client.call("get-location", { locationId })),
  ),
);
const errors = results.flatMap((r) =>
  r.status === "rejected" ? [String(r.reason?.message ?? r.reason)] : [],
);
process.stdout.write(`${JSON.stringify({ ok: results.length - errors.length, errors })}\n`);
redis.disconnect();
process.exit(0);
