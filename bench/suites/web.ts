// Issue 10's budgets for the web app's server side: a runs list over 10,000 runs pages in under
// 200 ms of server time (in-process requests: no network in the figure), and the first page ready in
// under 1 s on loopback (index.html and the scripts it names, over a real socket; only when the web
// app is built). The 10,000 runs are written through the Store like real ones.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { Engine } from "@hlconnect/engine/engine";
import { createApp } from "../../packages/app/src/server/app.ts";
import { listen } from "../../packages/app/src/server/listen.ts";
import { createLogger } from "../../packages/app/src/server/logging.ts";
import { DEFAULT_WEB_DIST } from "../../packages/app/src/server/static.ts";
import { percentile } from "../lib/drive.ts";
import type { Figure } from "../lib/report.ts";

const TOKEN = "bench-web-token";
const RUNS = 10_000;
const FLOW = `id: bench-hook
name: Bench hook
trigger:
  webhook: {}
steps:
  - id: note
    op: highlevel.contacts.notes.create
    input:
      contactId: "{{ trigger.id }}"
      body: hi
`;

function median(samples: number[]): number {
  return percentile(
    [...samples].sort((a, b) => a - b),
    50,
  );
}

export async function webServer(quick: boolean): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "hlc-bench-web-"));
  const engine = await Engine.open({ dataDir: dir, secret: "bench-web-secret-0123456789" });
  const logger = createLogger({ stream: new Writable({ write: (_c, _e, done) => done() }), pretty: false });
  const { app } = createApp({ engine, apiToken: TOKEN, logger, dataDir: dir });
  const headers = { authorization: `Bearer ${TOKEN}` };
  const figures: Figure[] = [];
  try {
    await engine.saveFlow(FLOW, "bench-hook.yaml");
    const statuses = ["succeeded", "succeeded", "succeeded", "failed"] as const;
    for (let i = 0; i < RUNS; i++) {
      const { run } = await engine.store.createRun({ flowId: "bench-hook", trigger: { id: `c${i}` } });
      await engine.store.startRun(run.id);
      await engine.store.finishRun(run.id, statuses[i % 4]!);
    }
    const timed = async (url: string) => {
      const t0 = performance.now();
      const res = await app.request(url, { headers });
      const body = (await res.json()) as { nextCursor?: string };
      return { ms: performance.now() - t0, body };
    };
    const rounds = quick ? 10 : 40;
    const first: number[] = [];
    const deep: number[] = [];
    const overview: number[] = [];
    let deepCursor: string | undefined;
    for (let page = 0, cursor: string | undefined; page < 18; page++) {
      const r = await timed(`/api/runs?limit=500${cursor ? `&cursor=${cursor}` : ""}`);
      cursor = r.body.nextCursor;
      deepCursor = cursor;
    }
    for (let i = 0; i < rounds; i++) {
      first.push((await timed("/api/runs")).ms);
      deep.push((await timed(`/api/runs?limit=50&cursor=${deepCursor}`)).ms);
      if (i < 5) overview.push((await timed("/api/overview")).ms);
    }
    let whole = 0;
    for (let cursor: string | undefined, more = true; more; ) {
      const r = await timed(`/api/runs?limit=500${cursor ? `&cursor=${cursor}` : ""}`);
      whole += r.ms;
      cursor = r.body.nextCursor;
      more = Boolean(cursor);
    }
    const budget = (figure: string, ms: number, limit: number, note: string): Figure => ({
      suite: "web",
      figure,
      unit: "ms",
      ours: Math.round(ms * 10) / 10,
      peer: null,
      target: `< ${limit} ms`,
      met: ms < limit,
      better: "lower",
      note,
    });
    figures.push(
      budget(
        "runs list, first page (50 of 10,000 runs)",
        median(first),
        200,
        `median of ${rounds}, server time`,
      ),
      budget("runs list, a page 9,000 runs deep (keyset cursor)", median(deep), 200, `median of ${rounds}`),
      budget("all 10,000 runs paged through (20 pages of 500)", whole, 2000, "sum of the pages"),
      budget("home overview with 10,000 runs in 24 h", median(overview), 1000, "median of 5"),
    );

    // The first page over a real socket: index.html, then every script and stylesheet it names.
    const index = path.join(DEFAULT_WEB_DIST, "index.html");
    if (existsSync(index)) {
      const listening = await listen({ port: 0, host: "127.0.0.1" });
      listening.setApp(app);
      try {
        const assets = [...readFileSync(index, "utf8").matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map(
          (m) => m[1]!,
        );
        const loads: number[] = [];
        for (let i = 0; i < (quick ? 5 : 20); i++) {
          const t0 = performance.now();
          await (await fetch(`${listening.url}/`, { headers: { accept: "text/html" } })).text();
          await Promise.all(assets.map(async (a) => (await fetch(`${listening.url}${a}`)).arrayBuffer()));
          loads.push(performance.now() - t0);
        }
        figures.push(
          budget(
            "first page ready: index.html + its assets, loopback",
            median(loads),
            1000,
            `${assets.length} assets`,
          ),
        );
      } finally {
        await listening.close();
      }
    } else {
      figures.push({
        suite: "web",
        figure: "first page ready, loopback",
        unit: "ms",
        ours: null,
        peer: null,
        note: "web app not built (npm run build)",
      });
    }
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
