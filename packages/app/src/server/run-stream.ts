// GET /api/runs/stream: Server-Sent Events, `event: run` with the run's view whenever a run appears or
// changes status. Runs that finish in this process are sent at once (the engine's "run" events); a
// look at the newest runs every second catches new and started runs, and those of other processes.
import type { Engine } from "@hlconnect/engine/engine";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { runView } from "./views.ts";

const TICK_MS = 1000;
const WATCHED = 50;
/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

export function runStream(c: Context, engine: Engine): Response {
  const flowId = c.req.query("flowId") || undefined;
  return streamSSE(c, async (stream) => {
    const known = new Map<string, string>();
    let closed = false;
    stream.onAbort(() => {
      closed = true;
    });
    const send = async (runId: string) => {
      const run = await engine.store.getRun(runId).catch(() => undefined);
      if (!run || (flowId && run.flowId !== flowId)) return;
      const mark = `${run.status}:${run.updatedAt}`;
      if (known.get(run.id) === mark) return;
      known.set(run.id, mark);
      await stream.writeSSE({ event: "run", id: run.id, data: JSON.stringify(runView(run)) });
    };
    // What is there when the stream opens is the page's own list: only changes are sent.
    const first = await engine.store.listRuns({ limit: WATCHED, ...(flowId ? { flowId } : {}) });
    for (const run of first.runs) known.set(run.id, `${run.status}:${run.updatedAt}`);
    const onRun = (e: { runId: string }) => void send(e.runId).catch(() => {});
    engine.env.events.on("run", onRun);
    await stream.writeSSE({ event: "ready", data: "{}" });
    let sinceKeepalive = 0;
    try {
      while (!closed) {
        await stream.sleep(TICK_MS);
        const page = await engine.store.listRuns({ limit: WATCHED, ...(flowId ? { flowId } : {}) });
        for (const run of [...page.runs].reverse()) await send(run.id);
        sinceKeepalive += TICK_MS;
        if (sinceKeepalive >= KEEPALIVE_MS) {
          sinceKeepalive = 0;
          await stream.write(": keepalive\n\n");
        }
        if (known.size > 1000) known.clear();
      }
    } catch {
      // The store closed (the server is stopping) or the client went away.
    } finally {
      engine.env.events.off("run", onRun);
    }
  });
}
