// Runs for the web app, in-process: time filters, the live stream (SSE) and resolving a step that
// needs attention, with the reason kept.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RunMarks } from "../src/server/run-stream.ts";
import { API_TOKEN, noteFlow, type WebFixture, webFixture } from "./web-helpers.ts";

const FLOW = noteFlow(
  "hooked",
  "Hooked",
  `  - id: tag
    op: highlevel.contacts.tags.add
    input:
      contactId: "{{ trigger.id }}"
      tags: [a]
`,
);

let f: WebFixture;

beforeAll(async () => {
  f = await webFixture();
  expect((await f.call("POST", "/api/flows", { source: FLOW })).status).toBe(201);
});
afterAll(async () => {
  await f?.close();
});

/** The live runs stream, read as text up to what a test waits for. */
async function openRunStream() {
  const res = await f.app.request("/api/runs/stream", {
    headers: { authorization: `Bearer ${API_TOKEN}` },
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  return {
    res,
    text: () => text,
    async readUntil(pattern: RegExp) {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${pattern}: ${text}`);
        text += decoder.decode(value);
      }
    },
    close: () => reader.cancel(),
  };
}

/** A run stopped at step "note" with an unknown outcome, as the executor leaves it. */
async function runNeedingAttention() {
  const { run } = await f.engine.store.createRun({ flowId: "hooked", trigger: { id: "c1" } });
  await f.engine.store.startRun(run.id);
  await f.engine.store.startStep(run.id, "note", { contactId: "c1", body: "hi" });
  await f.engine.store.finishStep(run.id, "note", {
    status: "unknown_outcome",
    error: { message: "timed out", code: "UNKNOWN_OUTCOME", stepId: "note" },
  });
  return f.engine.store.finishRun(run.id, "needs_attention", { message: "timed out", stepId: "note" });
}

describe("runs for the web app", () => {
  it("filters by time (ISO or epoch ms) and says what is wrong with a bad time", async () => {
    const { run } = await f.engine.store.createRun({ flowId: "hooked", trigger: {} });
    const at = run.createdAt;
    const inside = await f.call("GET", `/api/runs?since=${new Date(at).toISOString()}&until=${at + 1}`);
    expect(inside.json.runs.map((r: { id: string }) => r.id)).toContain(run.id);
    const after = await f.call("GET", `/api/runs?since=${at + 1}`);
    expect(after.json.runs.map((r: { id: string }) => r.id)).not.toContain(run.id);
    const bad = await f.call("GET", "/api/runs?since=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/since must be an ISO date-time/);
  });

  it("resolves a step that needs attention: skip, mark done, retry, each with its reason kept", async () => {
    for (const [action, stepStatus] of [
      ["skip", "skipped"],
      ["mark-done", "succeeded"],
      ["retry", "failed"],
    ] as const) {
      const run = await runNeedingAttention();
      const noReason = await f.call("POST", `/api/runs/${run.id}/steps/note/resolve`, { action });
      expect(noReason.status).toBe(400);
      const res = await f.call("POST", `/api/runs/${run.id}/steps/note/resolve`, {
        action,
        reason: `checked HighLevel (${action})`,
      });
      expect(res.status).toBe(200);
      // Back in the queue: the run resumes after the resolved step.
      expect(res.json.run.status).toBe("queued");
      const shown = await f.call("GET", `/api/runs/${run.id}`);
      expect(shown.json.steps.find((s: { stepId: string }) => s.stepId === "note").status).toBe(stepStatus);
      expect(shown.json.resolutions).toEqual([
        expect.objectContaining({ stepId: "note", action, reason: `checked HighLevel (${action})` }),
      ]);
      const again = await f.call("POST", `/api/runs/${run.id}/steps/note/resolve`, { action, reason: "x" });
      expect(again.status).toBe(409);
    }
    const run = await runNeedingAttention();
    expect(
      (await f.call("POST", `/api/runs/${run.id}/steps/nope/resolve`, { action: "skip", reason: "r" }))
        .status,
    ).toBe(404);
    expect(
      (await f.call("POST", `/api/runs/${run.id}/steps/note/resolve`, { action: "undo", reason: "r" }))
        .status,
    ).toBe(400);
  });

  it("replays a run that needs attention from the step it stopped at, or from the start when asked", async () => {
    const stopped = await runNeedingAttention();
    const bad = await f.call("POST", `/api/runs/${stopped.id}/replay`, { from: "middle" });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/from must be "start" or "stopped-step"/);
    const resumed = await f.call("POST", `/api/runs/${stopped.id}/replay`, {});
    expect(resumed.status).toBe(202);
    // The run stopped at its first step ("note", outcome unknown): nothing to carry, it starts there.
    expect(resumed.json).toMatchObject({ replayFrom: "note", carriedOver: [] });
    expect(resumed.json.run.replayOf).toBe(stopped.id);
    const over = await f.call("POST", `/api/runs/${stopped.id}/replay`, { from: "start" });
    expect(over.json).toMatchObject({ replayFrom: null, carriedOver: [] });
  });

  it("streams a run event when a run appears", async () => {
    const stream = await openRunStream();
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get("content-type")).toMatch(/text\/event-stream/);
    await stream.readUntil(/event: ready/);
    const { run } = await f.engine.store.createRun({ flowId: "hooked", trigger: { id: "live" } });
    const event = new RegExp(`event: run\\ndata: (.*)\\nid: ${run.id}\\n`);
    await stream.readUntil(event);
    const data = event.exec(stream.text())![1]!;
    expect(JSON.parse(data)).toMatchObject({ id: run.id, flowId: "hooked", status: "queued" });
    await stream.close();
  });

  it("streams from the page it polls, without reading each run again", async () => {
    for (const id of ["a", "b", "c"]) await f.engine.store.createRun({ flowId: "hooked", trigger: { id } });
    const getRun = vi.spyOn(f.engine.store, "getRun");
    try {
      const stream = await openRunStream();
      await stream.readUntil(/event: ready/);
      const { run } = await f.engine.store.createRun({ flowId: "hooked", trigger: { id: "polled" } });
      await stream.readUntil(new RegExp(`id: ${run.id}\n`));
      await stream.close();
      expect(getRun).not.toHaveBeenCalled();
      // Only the new run went out: the runs there when the stream opened were not sent as changes.
      expect(stream.text().match(/event: run/g)).toHaveLength(1);
    } finally {
      getRun.mockRestore();
    }
  });

  it("forgets the oldest run marks past its cap, not all of them", () => {
    const marks = new RunMarks(2);
    const run = (id: string, status = "queued") => ({ id, status, updatedAt: 1 }) as never;
    expect(marks.changed(run("a"))).toBe(true);
    expect(marks.changed(run("b"))).toBe(true);
    expect(marks.changed(run("a"))).toBe(false);
    expect(marks.changed(run("c"))).toBe(true);
    // "a" was the oldest: forgotten; "b" and "c" are still known.
    expect(marks.changed(run("b"))).toBe(false);
    expect(marks.changed(run("c"))).toBe(false);
    expect(marks.changed(run("a"))).toBe(true);
    expect(marks.changed(run("c", "running"))).toBe(true);
  });
});
