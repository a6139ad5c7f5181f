// HighLevel's events reach the flows of the connection that holds the event's location, whatever the
// number of connections; an event a flow cannot take is never dropped in silence: the inbox row says
// why, the flow is shown as needing attention, and an event is emitted for the metrics. Flows naming no
// connection otherwise use the default one (the first added); a flow naming a connection that does not
// exist is refused when saved or enabled, with the fix named.
import { afterEach, describe, expect, it } from "vitest";
import { connectionFor } from "../../src/runner/environment.ts";
import type { WebhookRecord } from "../../src/store/types.ts";
import { type EngineHarness, startEngineHarness } from "../e2e/harness.ts";

const INSTANT = `id: welcome
name: Welcome call
trigger:
  op: highlevel.events.contact-create
steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input:
      contactId: "{{ trigger.id }}"
      tags: [welcomed]
`;

const POLLING = `id: new-contacts
name: New contacts
trigger:
  op: highlevel.contacts.new
  every: 1m
steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input:
      contactId: "{{ trigger.id }}"
      tags: [seen]
`;

async function createContact(h: EngineHarness, firstName: string): Promise<string> {
  const i = h.sandbox.info;
  const r = await fetch(`${i.baseUrl}/contacts/`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${i.locationToken}`,
      version: "2021-07-28",
      "content-type": "application/json",
    },
    body: JSON.stringify({ locationId: i.locationId, firstName }),
  });
  return ((await r.json()) as { contact: { id: string } }).contact.id;
}

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The inbox row of the contact-create event of this contact. */
async function hookFor(h: EngineHarness, contactId: string): Promise<WebhookRecord | undefined> {
  const db = (h.engine.store as unknown as { db?: import("better-sqlite3").Database }).db;
  const row = db
    ?.prepare("SELECT id FROM webhooks WHERE payload LIKE ? AND status IN ('routed','ignored')")
    .get(`%${contactId}%`) as { id: string } | undefined;
  return row ? h.engine.store.getWebhook(row.id) : undefined;
}

describe("routing HighLevel events by location", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("with two connections, the event runs the flow through the connection holding its location", async () => {
    h = await startEngineHarness();
    await h.engine.addConnection(
      { label: "Other office", kind: "pit", locationIds: ["loc-other-office"] },
      { privateToken: "pit-other" },
    );
    expect((await h.engine.saveFlow(INSTANT, "welcome.yaml")).errors).toEqual([]);
    await h.engine.start();
    const contactId = await createContact(h, "Routed");
    const run = await waitFor(async () => {
      const page = await h!.engine.store.listRuns({ flowId: "welcome" });
      return page.runs.find((r) => (r.trigger as { id?: string }).id === contactId);
    }, "a run for the new contact");
    expect((await h.settle(run.id)).status).toBe("succeeded");
  });

  it("an event no connection can take is stored with the reason, and the flow needs attention", async () => {
    h = await startEngineHarness();
    // The only connection is for another location: nothing can act on the sandbox location's events.
    const [sandboxConnection] = await h.engine.store.listConnections();
    await h.engine.store.saveConnection({ ...sandboxConnection!, locationIds: ["loc-elsewhere"] });
    expect((await h.engine.saveFlow(INSTANT, "welcome.yaml")).errors).toEqual([]);
    const ignored: unknown[] = [];
    h.engine.env.events.on("webhook-ignored", (e) => ignored.push(e));
    await h.engine.start();
    const contactId = await createContact(h, "Lost");
    const hook = await waitFor(() => hookFor(h!, contactId), "the event to be handled");
    expect(hook.status).toBe("ignored");
    expect(hook.note).toMatch(/welcome.*no connection holds location/);
    const flow = await h.engine.store.getFlow("welcome");
    expect(flow?.status).toBe("error");
    expect(flow?.statusReason).toMatch(/no connection holds location .*hlconnect connections add/);
    expect(ignored).toContainEqual(expect.objectContaining({ flowId: "welcome", reason: "no_connection" }));
  });

  it("events from a routable and an unroutable location alternate: the flow keeps needing attention", async () => {
    h = await startEngineHarness();
    expect((await h.engine.saveFlow(INSTANT, "welcome.yaml")).errors).toEqual([]);
    const routable = h.sandbox.info.locationId;
    const engine = h.engine;
    let n = 0;
    const deliver = async (locationId: string) => {
      const { id } = await engine.store.insertWebhook({
        source: "highlevel",
        webhookId: `alternating-${++n}`,
        locationId,
        payload: { type: "ContactCreate", id: `contact-${n}`, locationId },
        receivedAt: Date.now(),
      });
      await engine.router.drain();
      return (await engine.store.getWebhook(id))?.status;
    };
    for (const locationId of ["loc-nobody", routable, "loc-nobody", routable]) {
      expect(await deliver(locationId)).toBe(locationId === routable ? "routed" : "ignored");
      const flow = await engine.store.getFlow("welcome");
      expect(flow?.status).toBe("error");
      expect(flow?.statusReason).toMatch(/no connection holds location loc-nobody/);
    }
    // An error the router did not set is not cleared by a routed event either.
    await engine.store.setFlowStatus("welcome", "error", "the operator is looking into it");
    expect(await deliver(routable)).toBe("routed");
    expect((await engine.store.getFlow("welcome"))?.status).toBe("error");
    // Once a connection holds that location, its next event clears the mark.
    await engine.store.setFlowStatus("welcome", "error", "no connection holds location loc-nobody (add one)");
    await engine.addConnection(
      { label: "Nobody's office", kind: "pit", locationIds: ["loc-nobody"] },
      { privateToken: "pit-nobody" },
    );
    expect(await deliver("loc-nobody")).toBe("routed");
    expect((await engine.store.getFlow("welcome"))?.status).toBe("active");
  });

  it("a polling flow that names no connection uses the default (the first added) when there are two", async () => {
    h = await startEngineHarness();
    // Added after the harness's sandbox connection, with a token the sandbox refuses: a poll through it
    // would fail, so a good poll proves the flow went through the default. Its id sorts first, so it
    // must be added in a later millisecond than the harness's (a tie in age goes by id).
    const first = await h.engine.store.getConnection(h.connectionId);
    while (Date.now() <= (first?.createdAt ?? 0)) await new Promise((r) => setTimeout(r, 1));
    await h.engine.addConnection(
      { id: "aaa-other", label: "Other office", kind: "pit", locationIds: ["loc-other-office"] },
      { privateToken: "pit-other" },
    );
    const saved = await h.engine.saveFlow(POLLING, "new-contacts.yaml");
    expect(saved.errors).toEqual([]);
    await createContact(h, "Polly");
    h.engine.env.sleep = async () => {};
    const report = await h.engine.scheduler.pollFlowSafely("new-contacts");
    expect(report).toBeDefined();
    expect((await h.engine.store.getFlow("new-contacts"))?.status).toBe("active");
    const flow = h.engine.env.parseFlow(POLLING, "new-contacts.yaml");
    expect((await connectionFor(h.engine.store, flow)).id).toBe(h.connectionId);
  });

  it("enabling a polling flow that names no connection among several is not refused", async () => {
    h = await startEngineHarness();
    const disabled = POLLING.replace("name: New contacts", "name: New contacts\nenabled: false");
    expect((await h.engine.saveFlow(disabled, "new-contacts.yaml")).errors).toEqual([]);
    await h.engine.addConnection(
      { label: "Other office", kind: "pit", locationIds: ["loc-other-office"] },
      { privateToken: "pit-other" },
    );
    await h.engine.setFlowEnabled("new-contacts", true);
    expect((await h.engine.store.getFlow("new-contacts"))?.enabled).toBe(true);
  });

  it("a flow naming a connection that does not exist is still refused, naming the ones there are", async () => {
    h = await startEngineHarness();
    const saved = await h.engine.saveFlow(`${POLLING}connection: nope\n`, "new-contacts.yaml");
    expect(saved.flow).toBeUndefined();
    expect(saved.errors[0]?.message).toMatch(/names connection "nope", which does not exist/);
    expect(saved.errors[0]?.suggestion).toContain(h.connectionId);
  });

  it("a polling flow whose poll fails every time is shown as failing, and active again once it works", async () => {
    h = await startEngineHarness();
    expect((await h.engine.saveFlow(POLLING, "new-contacts.yaml")).errors).toEqual([]);
    h.sandbox.setFaults({ rate: 1, kinds: ["500"], seed: 2 });
    h.engine.env.sleep = async () => {};
    for (let i = 0; i < 3; i++) await h.engine.scheduler.pollFlowSafely("new-contacts");
    const failing = await h.engine.store.getFlow("new-contacts");
    expect(failing?.status).toBe("error");
    expect(failing?.statusReason).toMatch(/the last 3 polls failed/);
    h.sandbox.setFaults(null);
    await h.engine.scheduler.pollFlowSafely("new-contacts");
    expect((await h.engine.store.getFlow("new-contacts"))?.status).toBe("active");
  });
});
