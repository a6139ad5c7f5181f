import { afterEach, describe, expect, it } from "vitest";
import { createSandboxContact, type EngineHarness, startEngineHarness } from "./harness.ts";

// Webhook-triggered flows (POST /hooks/FLOW_ID) let a test start runs with any payload.
const hookFlow = (id: string, steps: string) => `id: ${id}
name: ${id}
trigger:
  webhook: {}
steps:
${steps}`;

const contactId = (h: EngineHarness) =>
  createSandboxContact(h, { firstName: "Retry", phone: "+14155550123" });

describe("step retries follow the action's idempotency class", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("a safe step that keeps failing is retried as configured, then the run fails with the error", async () => {
    h = await startEngineHarness();
    const saved = await h.engine.saveFlow(
      hookFlow(
        "tag-retry",
        `  - id: tag
    op: highlevel.contacts.tags.add
    retry: { attempts: 2, backoff: 1s }
    input:
      contactId: "{{ trigger.contactId }}"
      tags: [retried]`,
      ),
      "tag-retry.yaml",
    );
    expect(saved.errors).toEqual([]);
    await h.engine.start();
    const id = await contactId(h);
    h.sandbox.setFaults({ rate: 1, kinds: ["500"], seed: 1, match: { operationId: "add-tags" } });
    const run = await h.engine.startRun("tag-retry", { contactId: id });
    const done = await h.settle(run.id);
    expect(done.status).toBe("failed");
    expect(done.error?.message).toMatch(/add-tags failed with 500/);
    const [step] = await h.engine.store.listSteps(run.id);
    expect(step).toMatchObject({ stepId: "tag", status: "failed", attempts: 2 });
  });

  it("a safe step with no answer is repeated, and its failure says it was (not the client's 'not repeated')", async () => {
    h = await startEngineHarness();
    const saved = await h.engine.saveFlow(
      hookFlow(
        "tag-no-answer",
        `  - id: tag
    op: highlevel.contacts.tags.add
    retry: { attempts: 2, backoff: 1s }
    input:
      contactId: "{{ trigger.contactId }}"
      tags: [retried]`,
      ),
      "tag-no-answer.yaml",
    );
    expect(saved.errors).toEqual([]);
    await h.engine.start();
    const id = await contactId(h);
    // "reset": the sandbox applies the tags, then drops the connection before answering.
    h.sandbox.setFaults({ rate: 1, kinds: ["reset"], seed: 1, match: { operationId: "add-tags" } });
    const before = h.sandbox.requests().length;
    const run = await h.engine.startRun("tag-no-answer", { contactId: id });
    const done = await h.settle(run.id);
    expect(done.status).toBe("failed");
    expect(
      h.sandbox
        .requests()
        .slice(before)
        .filter((r) => r.operationId === "add-tags"),
    ).toHaveLength(2);
    expect(done.error?.message).toMatch(
      /no answer after 2 tries .*safe to repeat, so replaying the run is safe/,
    );
    expect(done.error?.message).not.toMatch(/not repeated/);
  });

  it("an unsafe step whose outcome is unknown is not repeated: the run needs attention", async () => {
    h = await startEngineHarness();
    const saved = await h.engine.saveFlow(
      hookFlow(
        "sms-once",
        `  - id: sms
    op: highlevel.conversations.send-sms
    input:
      contactId: "{{ trigger.contactId }}"
      message: Your showing is confirmed`,
      ),
      "sms-once.yaml",
    );
    expect(saved.errors).toEqual([]);
    await h.engine.start();
    const id = await contactId(h);
    // "reset": the sandbox sends the message, then drops the connection before answering.
    h.sandbox.setFaults({ rate: 1, kinds: ["reset"], seed: 1, match: { operationId: "send-a-new-message" } });
    const before = h.sandbox.requests().length;
    const run = await h.engine.startRun("sms-once", { contactId: id });
    const done = await h.settle(run.id);
    expect(done.status).toBe("needs_attention");
    const sends = h.sandbox
      .requests()
      .slice(before)
      .filter((r) => r.operationId === "send-a-new-message");
    expect(sends).toHaveLength(1);
    const [step] = await h.engine.store.listSteps(run.id);
    expect(step).toMatchObject({ stepId: "sms", status: "unknown_outcome" });
  });
});
