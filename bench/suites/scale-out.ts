// Issue 11: runs per second with 1 and with 3 `hlconnect worker` processes on PostgreSQL + Redis, next
// to the embedded deployment (one `hlconnect serve` on SQLite). Every request to the sandbox goes
// through a proxy that adds 50 ms, so a run's time is mostly waiting on HighLevel (I/O bound), as in
// production. Each worker handles 2 runs at once; each run makes two calls (create contact, add note).
// Throughput is the workers': RUNS runs are created and enqueued by the bench (all due at the same
// moment, once every worker is up), and runs/s = RUNS / (last finish - first start), read from the store.
// (Webhook ingest is not in the figure: the router turns deliveries into runs one at a time, and on this
// shared machine it, not the workers, would set the pace.)
// Also the Redis rate limiter's utilisation: LIMITER_PROCESSES processes (this file, forked) share one
// location's 100 requests / 10 s through it against the sandbox's burst limit; the sandbox's own log
// says when it accepted each request and whether it answered any 429.
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { killAll, type Proc, startCli, waitFor } from "../../packages/app/test/cluster/processes.ts";
import type { RateLimiter } from "../../packages/client/src/index.ts";
import { openBullJobQueue } from "../../packages/engine/src/queue/bullmq.ts";
import type { JobQueue } from "../../packages/engine/src/queue/types.ts";
import { openPgStore } from "../../packages/engine/src/store/postgres/store.ts";
import { openEmbedded } from "../../packages/engine/src/store/sqlite/embedded.ts";
import type { Store } from "../../packages/engine/src/store/types.ts";
import {
  dropRedisPrefixes,
  dropSchemas,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniqueName,
} from "../../packages/engine/test/support/services.ts";
import { track } from "../lib/children.ts";
import type { Figure } from "../lib/report.ts";
import { startSandboxProcess } from "../lib/sandbox-process.ts";
import { forLocation, windowStats } from "../lib/windows.ts";

const LATENCY_MS = 50;
const CONCURRENCY = 2;
const API_TOKEN = "bench-scale-out-api-token-0123456789";
const FLOW = `id: bench-lead
name: Bench lead
trigger:
  webhook: {}
steps:
  - id: contact
    op: highlevel.contacts.create
    input:
      firstName: "{{ trigger.name }}"
      email: "{{ trigger.email }}"
  - id: note
    op: highlevel.contacts.notes.create
    input:
      contactId: "{{ steps.contact.output.contact.id }}"
      body: From the bench
`;

/** An HTTP proxy that holds every request for `ms` before passing it on. */
async function slowProxy(target: string, ms: number): Promise<{ url: string; close(): Promise<void> }> {
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    setTimeout(() => {
      const out = request(
        { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on("error", () => res.writeHead(502).end());
      req.pipe(out);
    }, ms);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function api(serverUrl: string, method: string, route: string, body?: unknown) {
  const res = await fetch(`${serverUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as { flow?: { hook?: { path: string; secret: string } } };
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** One deployment: serve (+ workers), a connection through the slow proxy, RUNS runs; runs/s. */
async function measure(workers: number | "embedded", runs: number): Promise<number> {
  const schema = uniqueName("bench_scale");
  const prefix = uniqueName("bench_scale");
  const dataDir = mkdtempSync(path.join(tmpdir(), "hlconnect-bench-scale-"));
  const procs: Proc[] = [];
  let proxy: Awaited<ReturnType<typeof slowProxy>> | undefined;
  let opened: { store: Store; queue: JobQueue; close(): Promise<void> } | undefined;
  try {
    const sandbox = startCli(["sandbox", "--port", "0", "--json", "--rate-limit", "100000/1000"], {});
    procs.push(sandbox);
    const info = await sandbox.ready;
    proxy = await slowProxy(String(info.baseUrl), LATENCY_MS);
    const scaled = workers !== "embedded";
    const env: NodeJS.ProcessEnv = {
      HLCONNECT_SECRET: "a bench passphrase of length",
      HLCONNECT_API_TOKEN: API_TOKEN,
      HIGHLEVEL_BASE_URL: proxy.url,
      ...(scaled
        ? {
            HLCONNECT_DATABASE_URL: TEST_DATABASE_URL,
            HLCONNECT_REDIS_URL: TEST_REDIS_URL,
            HLCONNECT_DATABASE_SCHEMA: schema,
            HLCONNECT_REDIS_PREFIX: prefix,
          }
        : { HLCONNECT_DATABASE_URL: "", HLCONNECT_REDIS_URL: "" }),
    };
    const serve = startCli(["serve", "--port", "0", "--json", "--data", dataDir], env);
    procs.push(serve);
    const serverUrl = String((await serve.ready).serverUrl);
    await api(serverUrl, "POST", "/api/connections", {
      label: "Sandbox",
      kind: "pit",
      token: info.locationToken,
      locationId: info.locationId,
      companyId: info.companyId,
    });
    await api(serverUrl, "POST", "/api/flows", { source: FLOW, file: "bench-lead.yaml" });
    if (scaled) {
      for (let i = 0; i < workers; i++)
        procs.push(startCli(["worker", "--concurrency", String(CONCURRENCY), "--json"], env));
      await Promise.all(procs.map((p) => p.ready));
    }
    // The runs, created and enqueued from here, all due 1.5 s after the last is enqueued.
    if (scaled) {
      const store = await openPgStore({ url: TEST_DATABASE_URL, schema, poolSize: 4 });
      const queue = await openBullJobQueue({ url: TEST_REDIS_URL, prefix });
      opened = {
        store,
        queue,
        async close() {
          await queue.close();
          await store.close();
        },
      };
    } else {
      const embedded = await openEmbedded({ file: path.join(dataDir, "hlconnect.db") });
      opened = embedded;
    }
    const ids: string[] = [];
    for (let i = 0; i < runs; i++) {
      const trigger = { name: `Bench ${i}`, email: `bench-${i}@scale.example` };
      ids.push((await opened.store.createRun({ flowId: "bench-lead", trigger })).run.id);
    }
    const due = Date.now() + 1500;
    for (const runId of ids) await opened.queue.enqueue({ runId, availableAt: due });
    const store = opened.store;
    const done = await waitFor(
      `${runs} runs`,
      async () => {
        const page = await store.listRuns({ flowId: "bench-lead", status: "succeeded", limit: 500 });
        return page.runs.length >= runs ? page.runs : undefined;
      },
      600_000,
    );
    const first = Math.min(...done.map((r) => r.startedAt ?? Number.POSITIVE_INFINITY));
    const last = Math.max(...done.map((r) => r.finishedAt ?? 0));
    return runs / ((last - first) / 1000);
  } finally {
    await opened?.close().catch(() => {});
    await Promise.all(procs.map((p) => p.kill("SIGKILL")));
    await killAll();
    await proxy?.close();
    await dropSchemas([schema]).catch(() => {});
    await dropRedisPrefixes([prefix]).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}
// ------------------------------------------------------------------ Redis limiter utilisation

const LIMITER_CHILD = "HLCONNECT_BENCH_LIMITER_CHILD";
const LIMITER_PROCESSES = 4;
/** Calls in flight per process: together far more than the budget lets through. */
const LIMITER_LOOPS = 8;
const BURST = { max: 100, windowMs: 10_000 };

interface LimiterChildConfig {
  baseUrl: string;
  token: string;
  locationId: string;
  redisUrl: string;
  prefix: string;
}

/** What a child reports when its time is up. */
interface LimiterChildReport {
  ok: number;
  failed: number;
  firstError?: string;
  /** Each answered request's time from its grant to its answer: how long it held its place. */
  heldMs: number[];
}

/** The limiter, with each request's time from its grant to its answer put in `held`. */
function timed(limiter: RateLimiter, held: number[]): RateLimiter {
  const granted: number[] = [];
  return {
    async acquire(bucket, opts) {
      await limiter.acquire(bucket, opts);
      granted.push(performance.now());
    },
    update(bucket, headers) {
      const at = granted.shift();
      if (at !== undefined) held.push(performance.now() - at);
      return limiter.update(bucket, headers);
    },
    release(bucket) {
      granted.shift();
      return limiter.release?.(bucket);
    },
    onRateLimited: (bucket, headers) => limiter.onRateLimited(bucket, headers),
  };
}

/**
 * One of the processes: a HighLevel client on the shared Redis limiter, LIMITER_LOOPS loops reading
 * the location until the parent's deadline (a call still waiting for the limiter then is abandoned).
 */
async function limiterChild(config: LimiterChildConfig): Promise<void> {
  const { Redis } = await import("ioredis");
  const { HighLevelClient, RedisRateLimiter } = await import("../../packages/client/src/index.ts");
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  const report: LimiterChildReport = { ok: 0, failed: 0, heldMs: [] };
  const client = new HighLevelClient({
    credentials: config.token,
    baseUrl: config.baseUrl,
    locationId: config.locationId,
    limiter: timed(new RedisRateLimiter({ redis, prefix: config.prefix }), report.heldMs),
  });
  await redis.ping();
  const stopAt = await new Promise<number>((resolve) => {
    process.once("message", (m: { stopAt: number }) => resolve(m.stopAt));
    process.send!({ ready: true });
  });
  const signal = AbortSignal.timeout(Math.max(0, stopAt - Date.now()));
  await Promise.all(
    Array.from({ length: LIMITER_LOOPS }, async () => {
      while (!signal.aborted) {
        try {
          await client.callByKey("get-location", { locationId: config.locationId }, undefined, { signal });
          report.ok++;
        } catch (err) {
          if (signal.aborted) break;
          report.failed++;
          report.firstError ??= (err as Error).message;
        }
      }
    }),
  );
  process.send!(report, () => {
    redis.disconnect();
    process.exit(0);
  });
}

if (process.env[LIMITER_CHILD]) {
  limiterChild(JSON.parse(process.env[LIMITER_CHILD]) as LimiterChildConfig).catch((err: unknown) => {
    process.stderr.write(`limiter bench child: ${String(err)}\n`);
    process.exit(1);
  });
}

/**
 * The share of the budget used, free of where the sandbox's fixed windows happen to fall: at full use,
 * every request's place is taken again exactly one window later (request i + max is sent one window
 * after request i), so window / the mean time from request i to request i + max. Above 100% would mean
 * more than max requests within one window somewhere. (Counting per fixed window over a short run
 * swings by whatever part of a burst crosses a window's end; the note gives those counts too.)
 */
function placeReuse(entries: Array<{ time: string; status: number }>, max: number, windowMs: number): number {
  const times = entries
    .filter((e) => e.status !== 429)
    .map((e) => Date.parse(e.time))
    .sort((a, b) => a - b);
  if (times.length <= max) return Number.NaN;
  let sum = 0;
  for (let i = 0; i + max < times.length; i++) sum += times[i + max]! - times[i]!;
  return windowMs / (sum / (times.length - max));
}

/** LIMITER_PROCESSES processes on one location's burst budget for `seconds`: the sandbox's accounting. */
async function limiterUtilisation(seconds: number) {
  const prefix = uniqueName("bench_rl");
  const sb = await startSandboxProcess(["--rate-limit", `${BURST.max}/${BURST.windowMs}`]);
  try {
    const config: LimiterChildConfig = {
      baseUrl: sb.info.baseUrl,
      token: sb.info.locationToken,
      locationId: sb.info.locationId,
      redisUrl: TEST_REDIS_URL,
      prefix,
    };
    const children = Array.from({ length: LIMITER_PROCESSES }, () =>
      track(
        fork(fileURLToPath(import.meta.url), [], {
          execArgv: ["--import", "tsx"],
          env: { ...process.env, [LIMITER_CHILD]: JSON.stringify(config) },
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        }),
      ),
    );
    const message = <T>(child: (typeof children)[number]) =>
      new Promise<T>((resolve, reject) => {
        child.once("message", (m) => resolve(m as T));
        child.once("exit", (code) => reject(new Error(`a limiter bench process exited (${code})`)));
      });
    await Promise.all(children.map((c) => message(c)));
    await sb.clearRequests();
    const log = sb.collect();
    const stopAt = Date.now() + seconds * 1000;
    const reports = children.map((c) => message<LimiterChildReport>(c));
    for (const c of children) c.send({ stopAt });
    const done = await Promise.all(reports);
    const entries = forLocation(await log.stop(), sb.info.locationId).filter(
      (e) => e.operationId === "get-location",
    );
    return {
      utilisation: placeReuse(entries, BURST.max, BURST.windowMs),
      stats: windowStats(entries, BURST.windowMs, BURST.max),
      failed: done.reduce((n, r) => n + r.failed, 0),
      firstError: done.find((r) => r.firstError)?.firstError,
      heldMs: done.flatMap((r) => r.heldMs).sort((x, y) => x - y),
    };
  } finally {
    await sb.stop();
    await dropRedisPrefixes([prefix]).catch(() => {});
  }
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export async function scaleOut(quick: boolean): Promise<Figure[]> {
  const limiter = await limiterUtilisation(quick ? 20 : 30);
  const runs = quick ? 150 : 400;
  const one = await measure(1, runs);
  const three = await measure(3, runs);
  const embedded = await measure("embedded", runs);
  const note = `${runs} runs of 2 calls, ${LATENCY_MS} ms added per call, ${CONCURRENCY} runs at once per worker; measured on the machine listed above (2 cores shared with PostgreSQL, Redis, the sandbox and every process)`;
  return [
    {
      suite: "scale-out",
      figure: "runs/s, 3 worker processes vs 1 (PostgreSQL + Redis)",
      unit: "runs/s",
      ours: three,
      peer: one,
      peerName: "1 worker",
      target: ">= 2.5x",
      met: three >= 2.5 * one,
      better: "higher",
      note,
    },
    {
      suite: "scale-out",
      figure: "runs/s, embedded SQLite (serve, 2 in-process workers)",
      unit: "runs/s",
      ours: embedded,
      peer: null,
      note,
    },
    {
      suite: "scale-out",
      figure: "Redis limiter utilisation",
      unit: "% of limit",
      ours: Number((100 * limiter.utilisation).toFixed(1)),
      peer: null,
      target: ">= 95%, 0 x 429",
      met: limiter.utilisation >= 0.95 && limiter.stats.tooMany === 0,
      better: "higher",
      note:
        `${LIMITER_PROCESSES} processes x ${LIMITER_LOOPS} calls in flight on one location's ` +
        `${BURST.max}/${BURST.windowMs / 1000} s budget (sandbox --rate-limit): a place in the window is ` +
        `taken again ${(BURST.windowMs / limiter.utilisation / 1000).toFixed(2)} s after its last request on average ` +
        `(a request holds its place from grant to answer: ${mean(limiter.heldMs).toFixed(0)} ms on average, ` +
        `p90 ${(limiter.heldMs[Math.floor(limiter.heldMs.length * 0.9)] ?? Number.NaN).toFixed(0)} ms); ` +
        `per sandbox window ${limiter.stats.steadyPerWindow.toFixed(1)} over ${limiter.stats.steadyWindows} steady ` +
        `windows (worst ${(100 * limiter.stats.worstWindow).toFixed(1)}%); ` +
        `${limiter.stats.tooMany} x 429 of ${limiter.stats.accepted + limiter.stats.tooMany} sent, ` +
        `${limiter.failed} failed calls${limiter.firstError ? ` (first: ${limiter.firstError.slice(0, 100)})` : ""}`,
    },
  ];
}
