// The replay dialog's words come from this: which steps a resume keeps, where it starts, and which
// steps would run a second time if the person starts over instead.
import { describe, expect, it } from "vitest";
import type { RunView, StepView } from "../src/api/types.ts";
import { listSteps, replayPlan, replayStarted } from "../src/pages/replay-plan.ts";

const run = (status: string, extra: Record<string, unknown> = {}) =>
  ({ id: "run_1", flowId: "f", status, attempts: 1, createdAt: "", trigger: {}, ...extra }) as RunView;
const step = (stepId: string, status: string) => ({ stepId, status, attempts: 1 }) as StepView;

describe("what a replay will do", () => {
  it("a failed run resumes at the failed step and keeps what finished before it", () => {
    const plan = replayPlan(run("failed"), [step("task", "succeeded"), step("note", "failed")]);
    expect(plan).toEqual({ resumeAt: "note", kept: ["task"], rerunOnRestart: ["task"] });
  });

  it("a run that stopped for a person resumes at that step; skipped steps count as finished", () => {
    const plan = replayPlan(run("needs_attention"), [
      step("find", "skipped"),
      step("tag", "succeeded"),
      step("sms", "unknown_outcome"),
    ]);
    expect(plan.resumeAt).toBe("sms");
    expect(plan.kept).toEqual(["find", "tag"]);
    expect(plan.rerunOnRestart).toEqual(["tag"]);
  });

  it("a succeeded run can only start over: every step that ran runs again", () => {
    const plan = replayPlan(run("succeeded"), [step("task", "succeeded"), step("note", "succeeded")]);
    expect(plan).toEqual({ kept: [], rerunOnRestart: ["task", "note"] });
  });

  it("a run that failed before any step starts over with nothing to repeat", () => {
    expect(replayPlan(run("failed"), [])).toEqual({ kept: [], rerunOnRestart: [] });
  });

  it("uses the step the API names when it names one", () => {
    const plan = replayPlan(run("failed", { replayFrom: "note" }), [
      step("task", "succeeded"),
      step("note", "succeeded"),
      step("sms", "failed"),
    ]);
    expect(plan.resumeAt).toBe("note");
    expect(plan.kept).toEqual(["task"]);
  });

  it("says in the toast what the server did, not what was asked", () => {
    expect(replayStarted({ replayFrom: "note", carriedOver: ["task"] })).toBe(
      "Replay started at “note”; “task” was kept, not sent again",
    );
    // An older server answers without carriedOver: it started over.
    expect(replayStarted({})).toBe("Replay started: every step runs again");
    expect(listSteps(["a", "b", "c"])).toBe("“a”, “b” and “c”");
  });
});
