// Mapping output is capped: a transform whose output would pass the limit (1 MB by default) stops the
// render with an error naming the transform and the limit, before the big value is built; a step's
// rendered input over the limit fails the step without calling HighLevel.
import { afterEach, describe, expect, it } from "vitest";
import { renderValue } from "../../src/mapping/index.ts";
import { executeRun } from "../../src/runner/run-executor.ts";
import { type EngineHarness, startEngineHarness } from "../e2e/harness.ts";

const scope = (trigger: unknown, maxValueLength?: number) => ({
  trigger,
  steps: {},
  ...(maxValueLength ? { maxValueLength } : {}),
});

describe("mapping caps", () => {
  it("a replace that would build 100 million characters fails at once, naming the transform", () => {
    const trigger = { text: "a".repeat(10_000), big: "b".repeat(10_000) };
    expect(() => renderValue("{{ trigger.text | replace('a', trigger.big) }}", scope(trigger))).toThrow(
      /"replace".*over the limit of 1048576 characters/,
    );
  });

  it("the limit is configurable, and values under it render as before", () => {
    const trigger = { text: "a-b-c" };
    expect(renderValue("{{ trigger.text | replace('-', '+') }}", scope(trigger, 10))).toBe("a+b+c");
    expect(() => renderValue("{{ trigger.text | replace('-', '+++++') }}", scope(trigger, 10))).toThrow(
      /over the limit of 10 characters/,
    );
  });

  it("text templates joining many parts are capped too", () => {
    const trigger = { part: "x".repeat(400_000) };
    const template = "{{ trigger.part }}{{ trigger.part }}{{ trigger.part }}";
    expect(() => renderValue(template, scope(trigger))).toThrow(/over the limit/);
  });
});

describe("a step whose rendered input is over the limit", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("fails with a clear error and calls nothing", async () => {
    h = await startEngineHarness();
    const flow = `id: big-note
name: Big note
trigger:
  webhook: {}
steps:
  - id: note
    op: highlevel.contacts.notes.create
    input:
      contactId: "{{ trigger.contactId }}"
      body: "{{ trigger.a }}"
      userId: "{{ trigger.b }}"
`;
    expect((await h.engine.saveFlow(flow, "big-note.yaml")).errors).toEqual([]);
    const half = "n".repeat(600_000);
    const { run } = await h.engine.store.createRun({
      flowId: "big-note",
      trigger: { contactId: "c1", a: half, b: half },
    });
    expect((await executeRun(h.engine.env, run.id)).status).toBe("failed");
    const step = await h.engine.store.getStep(run.id, "note");
    expect(step?.error?.message).toMatch(/rendered input of step "note" is over the limit of 1048576/);
    expect(h.sandbox.requests().filter((r) => r.operationId === "create-note")).toEqual([]);
  });
});
