// Replaying a failed run resumes at the step it stopped at: what its earlier steps created is not
// created a second time. A replay "from start" runs every step again, as asked.
import { afterEach, describe, expect, it } from "vitest";
import { createSandboxContact, type EngineHarness, startEngineHarness } from "./harness.ts";

const FLOW = `id: task-then-note
name: Task then note
trigger:
  webhook: {}
steps:
  - id: task
    op: highlevel.contacts.tasks.create
    input:
      contactId: "{{ trigger.contactId }}"
      title: "Call {{ trigger.name }}"
      dueDate: "2030-01-01T10:00:00Z"
  - id: note
    op: highlevel.contacts.notes.create
    retry: { attempts: 1 }
    input:
      contactId: "{{ trigger.contactId }}"
      body: "Replay test"
`;

const newContact = (h: EngineHarness) =>
  createSandboxContact(h, { firstName: "Replay", email: "replay@example.com" });

const creates = (h: EngineHarness, operationId: string, from: number) =>
  h.sandbox
    .requests()
    .slice(from)
    .filter((r) => r.operationId === operationId && r.status >= 200 && r.status < 300).length;

describe("replay", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function failedRun() {
    h = await startEngineHarness();
    expect((await h.engine.saveFlow(FLOW, "task-then-note.yaml")).errors).toEqual([]);
    await h.engine.start();
    const contactId = await newContact(h);
    h.sandbox.setFaults({ rate: 1, kinds: ["500"], seed: 1, match: { operationId: "create-note" } });
    const first = await h.engine.startRun("task-then-note", { contactId, name: "Ana" });
    const done = await h.settle(first.id);
    expect(done.status).toBe("failed");
    h.sandbox.setFaults(null);
    return first;
  }

  it("resumes a failed run at the failed step, carrying the finished steps over", async () => {
    const first = await failedRun();
    const before = h!.sandbox.requests().length;
    const replay = await h!.engine.replay(first.id);
    expect(replay).toMatchObject({ replayOf: first.id, replayFrom: "note", carriedOver: ["task"] });
    const done = await h!.settle(replay.id);
    expect(done.status).toBe("succeeded");
    expect(creates(h!, "create-task", before)).toBe(0); // the task was not created again
    expect(creates(h!, "create-note", before)).toBe(1);
    const steps = await h!.engine.store.listSteps(replay.id);
    const original = await h!.engine.store.listSteps(first.id);
    expect(steps.map((s) => [s.stepId, s.status])).toEqual([
      ["task", "succeeded"],
      ["note", "succeeded"],
    ]);
    // The carried-over step keeps the original's answer (later steps map from it).
    expect(steps[0]!.output).toEqual(original[0]!.output);
  });

  it("runs every step again when asked to start over", async () => {
    const first = await failedRun();
    const before = h!.sandbox.requests().length;
    const replay = await h!.engine.replay(first.id, { from: "start" });
    expect(replay.carriedOver).toEqual([]);
    expect(replay.replayFrom).toBeUndefined();
    expect((await h!.settle(replay.id)).status).toBe("succeeded");
    expect(creates(h!, "create-task", before)).toBe(1);
  });
});
