// Events sent while hlconnect is down are not lost: an instant trigger with a polling equivalent is
// backfilled on start (and periodically) through the catalog's polling trigger, with the same dedupe
// key as the webhook, so each event runs exactly once whether it came by webhook, backfill or both.
import { afterEach, describe, expect, it } from "vitest";
import { Engine } from "../../src/engine.ts";
import { type EngineHarness, SECRET, startEngineHarness } from "../e2e/harness.ts";

const FLOW = `id: welcome
name: Welcome
trigger:
  op: highlevel.events.contact-create
steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input:
      contactId: "{{ trigger.id }}"
      tags: [welcomed]
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
    body: JSON.stringify({
      locationId: i.locationId,
      firstName,
      email: `${firstName.toLowerCase()}@example.com`,
    }),
  });
  return ((await r.json()) as { contact: { id: string } }).contact.id;
}

const APPOINTMENTS = `id: booked
name: Booked
trigger:
  op: highlevel.events.appointment-create
steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input:
      contactId: "{{ trigger.appointment.contactId }}"
      tags: [booked]
`;

/** Book an appointment on the sandbox's first calendar, starting tomorrow. */
async function book(h: EngineHarness, contactId: string): Promise<string> {
  const i = h.sandbox.info;
  const headers = {
    authorization: `Bearer ${i.locationToken}`,
    version: "2021-04-15",
    "content-type": "application/json",
  };
  const cals = (await (
    await fetch(`${i.baseUrl}/calendars/?locationId=${i.locationId}`, { headers })
  ).json()) as {
    calendars: Array<{ id: string }>;
  };
  const start = Date.now() + 86_400_000;
  const r = await fetch(`${i.baseUrl}/calendars/events/appointments`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      calendarId: cals.calendars[0]!.id,
      locationId: i.locationId,
      contactId,
      startTime: new Date(start).toISOString(),
      endTime: new Date(start + 1_800_000).toISOString(),
      ignoreFreeSlotValidation: true,
    }),
  });
  const body = (await r.json()) as { id?: string };
  if (!body.id) throw new Error(`booking failed: ${r.status} ${JSON.stringify(body)}`);
  return body.id;
}

describe("backfill of instant triggers", () => {
  let h: EngineHarness | undefined;
  let second: Engine | undefined;
  afterEach(async () => {
    await second?.stop().catch(() => {});
    second = undefined;
    await h?.close();
    h = undefined;
  });

  it("runs the contacts created while the server was down exactly once, marked as backfilled", async () => {
    h = await startEngineHarness();
    await createContact(h, "Before"); // an account with history: the first backfill only sets its baseline
    await h.sandbox.webhooksIdle();
    await h.engine.router.drain(); // (before the flow existed: no run)
    expect((await h.engine.saveFlow(FLOW, "welcome.yaml")).errors).toEqual([]);
    await h.engine.start();
    await h.engine.backfill.runOnce();
    expect((await h.engine.store.listRuns({ flowId: "welcome" })).runs).toEqual([]);
    await h.engine.stop(); // down: the sandbox's deliveries now fail and are not retried

    const missed = [
      await createContact(h, "Ann"),
      await createContact(h, "Bob"),
      await createContact(h, "Cy"),
    ];
    await h.sandbox.webhooksIdle();

    second = await Engine.open({
      dataDir: h.dataDir,
      secret: SECRET,
      baseUrl: h.sandbox.info.baseUrl,
      webhookPublicKey: h.sandbox.info.webhookPublicKey,
    });
    const backfilled: unknown[] = [];
    second.env.events.on("backfill", (e) => backfilled.push(e));
    await second.backfill.runOnce();
    const runs = (await second.store.listRuns({ flowId: "welcome" })).runs;
    expect(runs.map((r) => (r.trigger as { id: string }).id).sort()).toEqual([...missed].sort());
    for (const run of runs) expect(run.trigger).toMatchObject({ hlconnectSource: "backfill" });
    expect(backfilled).toContainEqual(expect.objectContaining({ flowId: "welcome", runs: 3 }));

    // The same events by webhook (a late redelivery) and by a second backfill: no new run.
    const { id } = await second.store.insertWebhook({
      source: "highlevel",
      webhookId: "late-redelivery",
      locationId: h.sandbox.info.locationId,
      payload: { type: "ContactCreate", id: missed[0], locationId: h.sandbox.info.locationId },
      receivedAt: Date.now(),
    });
    await second.router.drain();
    expect((await second.store.getWebhook(id))?.status).toBe("routed");
    await second.backfill.runOnce();
    expect((await second.store.listRuns({ flowId: "welcome" })).runs).toHaveLength(3);
  });

  it("a webhook run and the backfill of the same contact make one run", async () => {
    h = await startEngineHarness();
    expect((await h.engine.saveFlow(FLOW, "welcome.yaml")).errors).toEqual([]);
    await h.engine.backfill.runOnce(); // baseline (empty account: everything after it is new)
    await h.engine.start();
    await h.engine.backfill.runOnce(); // the pass the start began ends before the contact exists
    const contactId = await createContact(h, "Dee");
    await h.sandbox.webhooksIdle();
    // The webhook's run must exist before the backfill, or this would test the backfill alone.
    const deadline = Date.now() + 30_000;
    let first = (await h.engine.store.listRuns({ flowId: "welcome" })).runs;
    while (first.length === 0) {
      if (Date.now() > deadline) throw new Error("the webhook for the new contact made no run in 30 s");
      await new Promise((r) => setTimeout(r, 20));
      first = (await h.engine.store.listRuns({ flowId: "welcome" })).runs;
    }
    expect(first.map((r) => (r.trigger as { id: string }).id)).toEqual([contactId]);
    expect(first[0]!.trigger).not.toMatchObject({ hlconnectSource: "backfill" });
    const reports = await h.engine.backfill.runOnce();
    expect(reports).toContainEqual(expect.objectContaining({ flowId: "welcome", runs: 0 }));
    const runs = (await h.engine.store.listRuns({ flowId: "welcome" })).runs;
    expect(runs.map((r) => (r.trigger as { id: string }).id)).toEqual([contactId]);
  });

  it("appointments booked while the server was down run once, shaped as the AppointmentCreate webhook", async () => {
    h = await startEngineHarness();
    const contactId = await createContact(h, "Eve");
    await h.sandbox.webhooksIdle();
    expect((await h.engine.saveFlow(APPOINTMENTS, "booked.yaml")).errors).toEqual([]);
    await h.engine.start();
    await h.engine.backfill.runOnce(); // baseline
    await h.engine.stop(); // down: the booking's webhook is not taken
    const appointmentId = await book(h, contactId);
    await h.sandbox.webhooksIdle();

    second = await Engine.open({
      dataDir: h.dataDir,
      secret: SECRET,
      baseUrl: h.sandbox.info.baseUrl,
      webhookPublicKey: h.sandbox.info.webhookPublicKey,
    });
    const reports = await second.backfill.runOnce();
    expect(reports).toContainEqual(expect.objectContaining({ flowId: "booked", runs: 1 }));
    const runs = (await second.store.listRuns({ flowId: "booked" })).runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]!.trigger).toMatchObject({
      type: "AppointmentCreate",
      hlconnectSource: "backfill",
      appointment: { id: appointmentId, contactId },
    });
    // The webhook of the same booking, redelivered late, makes no second run.
    const locationId = h.sandbox.info.locationId;
    const { id } = await second.store.insertWebhook({
      source: "highlevel",
      webhookId: "late-appointment",
      locationId,
      payload: { type: "AppointmentCreate", locationId, appointment: { id: appointmentId, contactId } },
      receivedAt: Date.now(),
    });
    await second.router.drain();
    expect((await second.store.getWebhook(id))?.status).toBe("routed");
    expect((await second.store.listRuns({ flowId: "booked" })).runs).toHaveLength(1);
  });
});
