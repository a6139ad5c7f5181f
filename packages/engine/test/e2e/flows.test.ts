import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type EngineHarness, startEngineHarness } from "./harness.ts";

const EXAMPLES = path.resolve(import.meta.dirname, "../../../../examples/flows");
const example = (name: string) => readFileSync(path.join(EXAMPLES, name), "utf8");

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("flows end to end against the sandbox", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("webhook flow: a contact created in HighLevel gets its welcome-call task", async () => {
    h = await startEngineHarness();
    const saved = await h.engine.saveFlow(example("welcome-call-task.yaml"), "welcome-call-task.yaml");
    expect(saved.errors).toEqual([]);
    await h.engine.start();
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
        firstName: "Wanda",
        lastName: "Webhook",
        email: "wanda@example.com",
      }),
    });
    const { contact } = (await res.json()) as { contact: { id: string } };
    const run = await waitFor(
      async () => (await h!.engine.store.listRuns({ flowId: "welcome-call-task" })).runs[0],
      "a run",
    );
    const done = await h.settle(run.id);
    expect(done.status).toBe("succeeded");
    const tasks = (await (
      await fetch(`${api.baseUrl}/contacts/${contact.id}/tasks`, {
        headers: { authorization: `Bearer ${api.locationToken}`, version: "2021-07-28" },
      })
    ).json()) as { tasks: Array<{ title: string }> };
    expect(tasks.tasks).toHaveLength(1);
    expect(tasks.tasks[0]!.title).toMatch(/Wanda/);
    const steps = await h.engine.store.listSteps(run.id);
    expect(steps.map((s) => [s.stepId, s.status])).toEqual([["task", "succeeded"]]);
  });

  it("a forged or replayed webhook is refused and makes no run", async () => {
    h = await startEngineHarness();
    await h.engine.saveFlow(example("welcome-call-task.yaml"), "welcome-call-task.yaml");
    const body = Buffer.from(
      JSON.stringify({
        type: "ContactCreate",
        locationId: h.sandbox.info.locationId,
        id: "x",
        webhookId: "w1",
        timestamp: new Date().toISOString(),
      }),
    );
    await expect(
      h.engine.receiveHighLevelWebhook(body, { "x-ghl-signature": Buffer.alloc(64).toString("base64") }),
    ).rejects.toThrow(/bad_signature|signature/);
    expect((await h.engine.store.listRuns({})).runs).toHaveLength(0);
  });

  it("polling flow: first poll records the cursor, a later poll runs once per new contact", async () => {
    h = await startEngineHarness();
    expect(
      (await h.engine.saveFlow(example("tag-new-contacts.yaml"), "tag-new-contacts.yaml")).errors,
    ).toEqual([]);
    const first = await h.engine.pollNow("tag-new-contacts");
    expect(first.firstPoll).toBe(true);
    expect(first.runs).toHaveLength(0);
    const api = h.sandbox.info;
    const created = (await (
      await fetch(`${api.baseUrl}/contacts/`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${api.locationToken}`,
          version: "2021-07-28",
          "content-type": "application/json",
        },
        body: JSON.stringify({ locationId: api.locationId, firstName: "Polly", source: "facebook" }),
      })
    ).json()) as { contact: { id: string } };
    await h.engine.start();
    const second = await h.engine.pollNow("tag-new-contacts");
    expect(second.runs).toHaveLength(1);
    expect((await h.settle(second.runs[0]!.id)).status).toBe("succeeded");
    const third = await h.engine.pollNow("tag-new-contacts");
    expect(third.runs).toHaveLength(0);
    expect(third.requests).toBe(1);
    const got = (await (
      await fetch(`${api.baseUrl}/contacts/${created.contact.id}`, {
        headers: { authorization: `Bearer ${api.locationToken}`, version: "2021-07-28" },
      })
    ).json()) as { contact: { tags: string[] } };
    expect(got.contact.tags).toEqual(expect.arrayContaining(["new-lead", "lead-facebook"]));
  });

  it("the token is not readable in the SQLite file", async () => {
    h = await startEngineHarness();
    await h.engine.stop();
    const { readdirSync } = await import("node:fs");
    for (const f of readdirSync(h.dataDir)) {
      const bytes = readFileSync(path.join(h.dataDir, f));
      expect(bytes.includes(Buffer.from(h.sandbox.info.locationToken)), f).toBe(false);
    }
  });
});

describe("polling trigger input", () => {
  it("renders vars in the trigger's input before polling", async () => {
    const h = await startEngineHarness();
    try {
      const source = `id: hot-search
name: hot search
vars:
  wanted: vip
trigger:
  op: highlevel.contacts.new
  input:
    query: "{{ vars.wanted }}"
steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input:
      contactId: "{{ trigger.id }}"
      tags: [seen]
`;
      expect((await h.engine.saveFlow(source, "hot-search.yaml")).errors).toEqual([]);
      const before = h.sandbox.requests().length;
      await h.engine.pollNow("hot-search");
      const search = h.sandbox
        .requests()
        .slice(before)
        .find((r) => r.operationId === "search-contacts-advanced");
      expect(search).toBeDefined();
      expect(search?.status).toBe(200);
      // The sandbox's request log has no bodies: check the rendered value through a real match instead.
      const api = h.sandbox.info;
      await fetch(`${api.baseUrl}/contacts/`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${api.locationToken}`,
          version: "2021-07-28",
          "content-type": "application/json",
        },
        body: JSON.stringify({ locationId: api.locationId, firstName: "vip", lastName: "Person" }),
      });
      await fetch(`${api.baseUrl}/contacts/`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${api.locationToken}`,
          version: "2021-07-28",
          "content-type": "application/json",
        },
        body: JSON.stringify({ locationId: api.locationId, firstName: "Ordinary", lastName: "Person" }),
      });
      const report = await h.engine.pollNow("hot-search");
      expect(report.runs).toHaveLength(1);
      expect((report.runs[0]!.trigger as { firstName: string }).firstName).toBe("vip");
    } finally {
      await h.close();
    }
  });
});
