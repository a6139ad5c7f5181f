// Issue 11: runs per second with 1 and with 3 `hlconnect worker` processes on PostgreSQL + Redis, next
// to the embedded deployment (one `hlconnect serve` on SQLite). Every request to the sandbox goes
// through a proxy that adds 50 ms, so a run's time is mostly waiting on HighLevel (I/O bound), as in
// production. Each worker handles 2 runs at once; each run makes two calls (create contact, add note).
// Throughput is the workers': RUNS runs are created and enqueued by the bench (all due at the same
// moment, once every worker is up), and runs/s = RUNS / (last finish - first start), read from the store.
// (Webhook ingest is not in the figure: the router turns deliveries into runs one at a time, and on this
// shared machine it, not the workers, would set the pace.)
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { killAll, type Proc, startCli, waitFor } from "../../packages/app/test/cluster/processes.ts";
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
import type { Figure } from "../lib/report.ts";

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
export async function scaleOut(quick: boolean): Promise<Figure[]> {
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
  ];
}
