// GET /api/runs/stream: Server-Sent Events, `event: run` with the run's view whenever a run appears or
// changes status. Runs that finish in this process are sent at once (the engine's "run" events); a
// look at the newest runs every second catches new and started runs, and those of other processes.
import type { Engine } from "@hlconnect/engine/engine";
import type { RunRecord } from "@hlconnect/engine/store/types";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { runView } from "./views.ts";

const TICK_MS = 1000;
const WATCHED = 50;
/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/**
 * The last status mark sent for each run, so only changes go out. Past `cap` runs the oldest mark is
 * dropped (a run that old is far off the watched page), never all of them: clearing would send every
 * watched run again as a "change".
 */
export class RunMarks {
  readonly #marks = new Map<string, string>();
  constructor(readonly cap = 1000) {}

  /** Whether the run is new or changed since it was last seen (and remember it as seen). */
  changed(run: Pick<RunRecord, "id" | "status" | "updatedAt">): boolean {
    const mark = `${run.status}:${run.updatedAt}`;
    if (this.#marks.get(run.id) === mark) return false;
    // Delete first so a changed run moves to the newest end of the insertion order.
    this.#marks.delete(run.id);
    this.#marks.set(run.id, mark);
    for (const oldest of this.#marks.keys()) {
      if (this.#marks.size <= this.cap) break;
      this.#marks.delete(oldest);
    }
    return true;
  }
}

export function runStream(c: Context, engine: Engine): Response {
  const flowId = c.req.query("flowId") || undefined;
  return streamSSE(c, async (stream) => {
    const marks = new RunMarks();
    let closed = false;
    stream.onAbort(() => {
      closed = true;
    });
    const write = async (run: RunRecord) => {
      if (flowId && run.flowId !== flowId) return;
      if (!marks.changed(run)) return;
      await stream.writeSSE({ event: "run", id: run.id, data: JSON.stringify(runView(run)) });
    };
    // What is there when the stream opens is the page's own list: only changes are sent.
    const first = await engine.store.listRuns({ limit: WATCHED, ...(flowId ? { flowId } : {}) });
    for (const run of first.runs) marks.changed(run);
    // An engine event names only the run: read it. The poll compares the page it already has.
    const onRun = (e: { runId: string }) =>
      void engine.store
        .getRun(e.runId)
        .then((run) => (run ? write(run) : undefined))
        .catch(() => {});
    engine.env.events.on("run", onRun);
    await stream.writeSSE({ event: "ready", data: "{}" });
    let sinceKeepalive = 0;
    try {
      while (!closed) {
        await stream.sleep(TICK_MS);
        const page = await engine.store.listRuns({ limit: WATCHED, ...(flowId ? { flowId } : {}) });
        for (const run of [...page.runs].reverse()) await write(run);
        sinceKeepalive += TICK_MS;
        if (sinceKeepalive >= KEEPALIVE_MS) {
          sinceKeepalive = 0;
          await stream.write(": keepalive\n\n");
        }
      }
    } catch {
      // The store closed (the server is stopping) or the client went away.
    } finally {
      engine.env.events.off("run", onRun);
    }
  });
}
