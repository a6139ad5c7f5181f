// Dry runs against the sandbox: reads are made, writes are not sent (the sandbox's request log shows
// none), and each step's output lists the writes it would have sent with the body after mapping.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isDryRunOutput } from "../../src/runner/dry-run.ts";
import { triggerSample } from "../../src/runner/trigger-sample.ts";
import { type EngineHarness, startEngineHarness } from "./harness.ts";

const ROOT = path.resolve(import.meta.dirname, "../../../..");
const example = (name: string) => readFileSync(path.join(ROOT, "examples/flows", name), "utf8");
const template = (name: string) => readFileSync(path.join(ROOT, "templates", name), "utf8");

const writesIn = (h: EngineHarness, since: number) =>
  h.sandbox.requests({ after: since }).filter((r) => r.method !== "GET" && !/\/search/.test(r.path));

const lastRequestId = (h: EngineHarness) => h.sandbox.requests().at(-1)?.id ?? 0;

async function contactsWithTasks(h: EngineHarness, contactId: string): Promise<number> {
  const api = h.sandbox.info;
  const res = await fetch(`${api.baseUrl}/contacts/${contactId}/tasks`, {
    headers: { authorization: `Bearer ${api.locationToken}`, version: "2021-07-28" },
  });
  return ((await res.json()) as { tasks: unknown[] }).tasks.length;
}

async function createContact(h: EngineHarness, firstName: string): Promise<string> {
  const api = h.sandbox.info;
  const res = await fetch(`${api.baseUrl}/contacts/`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${api.locationToken}`,
      version: "2021-07-28",
      "content-type": "application/json",
    },
    body: JSON.stringify({
      locationId: api.locationId,
      firstName,
      email: `${firstName.toLowerCase()}@example.com`,
    }),
  });
  return ((await res.json()) as { contact: { id: string } }).contact.id;
}

describe("dry runs", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("a dry run makes its reads and no write, and shows the planned write with its mapped body", async () => {
    h = await startEngineHarness();
    await h.engine.saveFlow(example("welcome-call-task.yaml"), "welcome-call-task.yaml");
    const contactId = await createContact(h, "Dora");
    const since = lastRequestId(h);
    const run = await h.engine.startRun(
      "welcome-call-task",
      { id: contactId, firstName: "Dora" },
      undefined,
      {
        dryRun: true,
      },
    );
    expect(run.dryRun).toBe(true);
    await h.engine.start();
    const done = await h.settle(run.id);
    expect(done.status).toBe("succeeded");
    expect(done.dryRun).toBe(true);
    expect(writesIn(h, since)).toEqual([]);
    expect(await contactsWithTasks(h, contactId)).toBe(0);

    const [step] = await h.engine.store.listSteps(run.id);
    if (!isDryRunOutput(step?.output))
      return expect.fail(`not a dry-run output: ${JSON.stringify(step?.output)}`);
    expect(step.output.writes).toHaveLength(1);
    const write = step.output.writes[0]!;
    expect(write).toMatchObject({
      operation: "create-task",
      method: "POST",
      path: `/contacts/${contactId}/tasks`,
    });
    expect(write.body).toMatchObject({ title: "Welcome call: Dora" });
    expect(String((write.body as { dueDate: string }).dueDate)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("a flow enabled in dry-run mode writes nothing on a live event and records what it would write", async () => {
    h = await startEngineHarness();
    await h.engine.saveFlow(example("welcome-call-task.yaml"), "welcome-call-task.yaml");
    await h.engine.setFlowEnabled("welcome-call-task", true, { dryRun: true });
    await h.engine.start();
    const since = lastRequestId(h);
    const contactId = await createContact(h, "Eve");
    let runId: string | undefined;
    for (let i = 0; i < 400 && !runId; i++) {
      runId = (await h.engine.store.listRuns({ flowId: "welcome-call-task" })).runs[0]?.id;
      if (!runId) await new Promise((r) => setTimeout(r, 25));
    }
    if (!runId) return expect.fail("no run for the live event");
    const done = await h.settle(runId);
    expect(done).toMatchObject({ status: "succeeded", dryRun: true });
    // The only write is the contact the test made itself.
    expect(writesIn(h, since).map((r) => `${r.method} ${r.path}`)).toEqual(["POST /contacts/"]);
    expect(await contactsWithTasks(h, contactId)).toBe(0);
    const [step] = await h.engine.store.listSteps(runId);
    expect(isDryRunOutput(step?.output) && step.output.writes[0]?.path).toBe(`/contacts/${contactId}/tasks`);

    // Enabled for real: the next event writes.
    await h.engine.setFlowEnabled("welcome-call-task", true);
    expect((await h.engine.store.getFlow("welcome-call-task"))?.dryRun).toBeUndefined();
  });

  it("later steps map from the sample answer of a held-back write", async () => {
    h = await startEngineHarness();
    const source = [
      "id: two-steps",
      "name: Two steps",
      "trigger: { webhook: {} }",
      "steps:",
      "  - id: contact",
      "    op: highlevel.contacts.upsert",
      "    input: { email: '{{ trigger.email }}', firstName: Zed }",
      "  - id: note",
      "    op: highlevel.contacts.notes.create",
      "    input: { contactId: '{{ steps.contact.output.contact.id }}', body: 'hello' }",
    ].join("\n");
    expect((await h.engine.saveFlow(source, "two-steps.yaml")).errors).toEqual([]);
    const since = lastRequestId(h);
    const run = await h.engine.startRun("two-steps", { email: "zed@example.com" }, undefined, {
      dryRun: true,
    });
    await h.engine.start();
    const done = await h.settle(run.id);
    expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
    expect(writesIn(h, since)).toEqual([]);
    const steps = await h.engine.store.listSteps(run.id);
    const note = steps.find((s) => s.stepId === "note");
    if (!isDryRunOutput(note?.output)) return expect.fail("the note step has no dry-run output");
    expect(note.output.writes[0]?.path).toMatch(/^\/contacts\/[^/]+\/notes$/);
  });

  it("a dry run calls no other service: BatchData lookups and posts to URLs are planned, not made", async () => {
    h = await startEngineHarness();
    const source = [
      "id: enrich",
      "name: Enrich",
      "trigger: { webhook: {} }",
      "steps:",
      "  - id: trace",
      "    op: batchdata.skip-trace",
      "    input: { contactId: '{{ trigger.id }}' }",
      "  - id: post",
      "    op: batchleads.update.post",
      "    input: { url: 'https://hooks.zapier.com/hooks/catch/1/abc/', contactId: '{{ trigger.id }}' }",
    ].join("\n");
    const saved = await h.engine.saveFlow(source, "enrich.yaml");
    if (saved.errors.length) return expect.fail(JSON.stringify(saved.errors));
    const outbound: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (url: string | URL | Request, init?: RequestInit) => {
      outbound.push(String(url));
      return realFetch(url, init);
    }) as typeof fetch;
    try {
      const since = lastRequestId(h);
      const run = await h.engine.startRun("enrich", { id: "nope" }, undefined, { dryRun: true });
      await h.engine.start();
      const done = await h.settle(run.id);
      expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
      expect(writesIn(h, since)).toEqual([]);
      expect(outbound.filter((u) => /batchdata|zapier/.test(u))).toEqual([]);
      const steps = await h.engine.store.listSteps(run.id);
      for (const step of steps) expect(isDryRunOutput(step.output), step.stepId).toBe(true);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it("an instant trigger with a polling equivalent samples real recent records, shaped as its webhook", async () => {
    h = await startEngineHarness();
    await h.engine.saveFlow(example("welcome-call-task.yaml"), "welcome-call-task.yaml");
    const id = await createContact(h, "Sam");
    const { flow } = await h.engine.flow("welcome-call-task");
    const sample = await triggerSample(h.engine.env, flow, 50);
    expect(sample.source).toBe("live");
    const item = sample.items.find((i) => (i as { id?: string }).id === id);
    expect(item).toMatchObject({
      type: "ContactCreate",
      locationId: h.sandbox.info.locationId,
      firstName: "Sam",
    });
  });

  it("a polling trigger's sample reads the account without moving the flow's cursor", async () => {
    h = await startEngineHarness();
    await h.engine.saveFlow(template("follow-up-stage.yaml"), "follow-up-stage.yaml");
    const { flow } = await h.engine.flow("follow-up-stage");
    const sample = await triggerSample(h.engine.env, flow, 3);
    expect(sample.source).toBe("live");
    expect(await h.engine.store.getTriggerState("follow-up-stage")).toBeUndefined();
  });
});
