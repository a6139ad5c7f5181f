// HighLevel unreachable (nothing sent: connection refused): a run waits through the outage, going
// back to the queue with growing waits, instead of failing for good after a few seconds; only after
// about 34 minutes does it fail, saying that replaying it is safe. Even an action that is never
// repeated after an answerless send is retried here, because nothing was sent.
import { afterEach, describe, expect, it } from "vitest";
import { executeRun } from "../../src/runner/run-executor.ts";
import { type EngineHarness, startEngineHarness } from "./harness.ts";

const FLOW = `id: sms-when-down
name: SMS while HighLevel is down
trigger:
  webhook: {}
steps:
  - id: sms
    op: highlevel.conversations.send-sms
    retry: { attempts: 1 }
    input:
      contactId: "{{ trigger.contactId }}"
      message: Your showing is confirmed
`;

describe("a HighLevel outage", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close().catch(() => {});
    h = undefined;
  });

  it("re-queues the run with growing waits while nothing can be sent, then fails saying replay is safe", async () => {
    let clock = 1_800_000_000_000;
    h = await startEngineHarness({ now: () => clock });
    expect((await h.engine.saveFlow(FLOW, "sms-when-down.yaml")).errors).toEqual([]);
    const { run } = await h.engine.store.createRun({ flowId: "sms-when-down", trigger: { contactId: "c1" } });
    await h.sandbox.close(); // connection refused from now on: nothing can be sent
    const waits: number[] = [];
    let outcome = await executeRun(h.engine.env, run.id, 1);
    for (let delivery = 2; outcome.status === "retry" && delivery <= 10; delivery++) {
      waits.push(outcome.retryAt - clock);
      expect((await h.engine.store.getRun(run.id))?.status).toBe("running"); // not failed for good
      clock = outcome.retryAt;
      outcome = await executeRun(h.engine.env, run.id, delivery);
    }
    expect(waits).toEqual([5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000]);
    expect(outcome.status).toBe("failed");
    const failed = await h.engine.store.getRun(run.id);
    expect(failed?.error?.message).toMatch(/ECONNREFUSED/);
    expect(failed?.error?.message).toMatch(
      /could not be reached for about 34 minutes, tried 9 times \(nothing was sent: replaying the run is safe\)/,
    );
  });
});
