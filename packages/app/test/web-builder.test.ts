// The builder's helpers against a real sandbox, in-process: dropdown options read live through the
// connection, mapping previews, the transforms, testing a trigger and a step, and connections tested
// on save.
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WebFixture, webFixture } from "./web-helpers.ts";

let sandbox: Sandbox;
let f: WebFixture;
const CONN = "sb";

async function sandboxPost(pathname: string, body: unknown) {
  const i = sandbox.info;
  const res = await fetch(`${i.baseUrl}${pathname}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${i.locationToken}`,
      version: "2021-07-28",
      "content-type": "application/json",
    },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: sandbox answers, checked by expect()
  return (await res.json()) as any;
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 1 });
  f = await webFixture({ baseUrl: sandbox.info.baseUrl });
  await f.engine.addConnection(
    {
      id: CONN,
      label: "Sandbox",
      kind: "pit",
      locationIds: [sandbox.info.locationId],
      companyId: sandbox.info.companyId,
    },
    { privateToken: sandbox.info.locationToken },
  );
});
afterAll(async () => {
  await f?.close();
  await sandbox?.close();
});

describe("option lists through a connection", () => {
  it("reads pipelines and the stages of one", async () => {
    const pipelines = await f.call("GET", `/api/connections/${CONN}/options/pipelines`);
    expect(pipelines.status).toBe(200);
    const sales = pipelines.json.options.find((o: { label: string }) => o.label === "Sales Pipeline");
    expect(sales.value).toMatch(/\w{10,}/);
    const stages = await f.call("GET", `/api/connections/${CONN}/options/stages?parent=${sales.value}`);
    expect(stages.json.options.map((o: { label: string }) => o.label)).toContain("New Lead");
    // A field's own declared source gives the same list.
    const field = await f.call(
      "GET",
      `/api/connections/${CONN}/options/field?entry=highlevel.opportunities.create&field=pipelineStageId&pipelineId=${sales.value}`,
    );
    expect(field.json.options).toEqual(stages.json.options);
    const noParent = await f.call("GET", `/api/connections/${CONN}/options/stages`);
    expect(noParent.status).toBe(400);
    expect(noParent.json.error).toMatch(/pipelineId/);
  });

  it("reads calendars, users, custom fields and tags", async () => {
    const calendars = await f.call("GET", `/api/connections/${CONN}/options/calendars`);
    expect(calendars.json.options.length).toBeGreaterThan(0);
    const users = await f.call("GET", `/api/connections/${CONN}/options/users`);
    expect(users.json.options.map((o: { label: string }) => o.label)).toContain("Alex Agent");
    const fields = await f.call("GET", `/api/connections/${CONN}/options/custom-fields`);
    expect(fields.json.options.map((o: { label: string }) => o.label)).toContain("Estimated Value");
    await sandboxPost("/contacts/", {
      locationId: sandbox.info.locationId,
      firstName: "Tagged",
      tags: ["web-builder-tag"],
    });
    const tags = await f.call("GET", `/api/connections/${CONN}/options/tags`);
    expect(tags.json.options).toContainEqual({ value: "web-builder-tag", label: "web-builder-tag" });
  });

  it("says what is wrong: unknown list, unknown connection, a field without options", async () => {
    expect((await f.call("GET", `/api/connections/${CONN}/options/planets`)).json.error).toMatch(
      /pipelines, stages/,
    );
    expect((await f.call("GET", "/api/connections/nope/options/pipelines")).status).toBe(404);
    const plain = await f.call(
      "GET",
      `/api/connections/${CONN}/options/field?entry=highlevel.opportunities.create&field=name`,
    );
    expect(plain.status).toBe(404);
  });
});

describe("mapping", () => {
  it("previews an expression on sample data, and points at a syntax error", async () => {
    const ok = await f.call("POST", "/api/mapping/preview", {
      expression: "Call {{ trigger.firstName | upper }} about {{ steps.lookup.output.city }}",
      context: { trigger: { firstName: "Ann" }, steps: { lookup: { city: "Austin" } } },
    });
    expect(ok.json).toEqual({ value: "Call ANN about Austin" });
    const typed = await f.call("POST", "/api/mapping/preview", {
      expression: "{{ trigger.n | round(1) }}",
      context: { trigger: { n: 41.96 } },
    });
    expect(typed.json).toEqual({ value: 42 });
    const bad = await f.call("POST", "/api/mapping/preview", {
      expression: "{{ trigger.firstName | }}",
      context: {},
    });
    expect(bad.json.error.message).toMatch(/column/);
    expect(bad.json.error.position).toBeGreaterThan(0);
  });

  it("decides a condition on the sample (true/false) and says what is wrong with a bad one", async () => {
    const ask = async (expression: unknown, trigger: unknown) =>
      (await f.call("POST", "/api/mapping/preview", { expression, condition: true, context: { trigger } }))
        .json;
    expect(await ask("trigger.email exists", { email: "ann@example.com" })).toEqual({ value: true });
    expect(await ask("trigger.email exists", { phone: "+15550100" })).toEqual({ value: false });
    expect(await ask('trigger.status == "Hot" and trigger.n > 2', { status: "Hot", n: 3 })).toEqual({
      value: true,
    });
    // The structured form too, with the place of a problem inside it.
    expect(await ask({ left: "{{ trigger.n }}", op: ">", right: 5 }, { n: 3 })).toEqual({ value: false });
    const bad = await ask("trigger.x ==", {});
    expect(bad.error.message).toMatch(/expected a value after ==/);
    const badOp = await ask({ all: [{ left: "{{ trigger.n }}", op: "bigger", right: 1 }] }, {});
    expect(badOp.error.message).toMatch(/all\[0\]/);
    // Without `condition`, the same text is a template (kept as it is).
    const text = await f.call("POST", "/api/mapping/preview", {
      expression: "trigger.email exists",
      context: {},
    });
    expect(text.json).toEqual({ value: "trigger.email exists" });
  });

  it("lists the transforms with their arguments and a documented example", async () => {
    const res = await f.call("GET", "/api/mapping/transforms");
    expect(res.json.transforms.length).toBeGreaterThan(30);
    for (const t of res.json.transforms) expect(t.description, t.name).toMatch(/\w/);
    const replace = res.json.transforms.find((t: { name: string }) => t.name === "replace");
    expect(replace).toMatchObject({ args: ["search", "replacement?"], category: "Text" });
    expect(replace.example.expression).toMatch(/^\{\{ .* \| replace\(/);
  });
});

describe("testing against the connection", () => {
  it("runs one step: the input after mapping, the answer, the time and the request", async () => {
    const contact = await sandboxPost("/contacts/", {
      locationId: sandbox.info.locationId,
      firstName: "Ann",
    });
    const res = await f.call("POST", "/api/flows/test-step", {
      connectionId: CONN,
      step: {
        op: "highlevel.contacts.notes.create",
        input: { contactId: "{{ trigger.id }}", body: "Hello {{ trigger.firstName }}" },
      },
      context: { trigger: { id: contact.contact.id, firstName: "Ann" } },
    });
    expect(res.status).toBe(200);
    expect(res.json.input).toMatchObject({ contactId: contact.contact.id, body: "Hello Ann" });
    expect(res.json.output.note.body).toBe("Hello Ann");
    expect(res.json.ms).toBeGreaterThanOrEqual(0);
    expect(res.json.request).toMatchObject({ method: "POST", path: `/contacts/${contact.contact.id}/notes` });
    expect(res.json.request.status).toBeGreaterThanOrEqual(200);
    expect(res.json.request.status).toBeLessThan(300);
  });

  it("shows HighLevel's refusal and bad input without running anything", async () => {
    const missing = await f.call("POST", "/api/flows/test-step", {
      connectionId: CONN,
      step: { op: "highlevel.contacts.notes.create", input: { body: "x" } },
      context: {},
    });
    expect(missing.json.error.message).toMatch(/contactId/);
    const refused = await f.call("POST", "/api/flows/test-step", {
      connectionId: CONN,
      step: { op: "highlevel.contacts.notes.create", input: { contactId: "no-such-contact", body: "x" } },
    });
    expect(refused.json.error.status).toBeGreaterThanOrEqual(400);
    expect(refused.json.request.status).toBe(refused.json.error.status);
  });

  it("fetches a polling trigger's recent items, and an instant trigger's sample", async () => {
    const live = await f.call("POST", "/api/flows/test-trigger", {
      connectionId: CONN,
      trigger: { op: "highlevel.opportunities.pipelines" },
    });
    expect(live.json.source).toBe("live");
    expect(JSON.stringify(live.json.items)).toContain("Sales Pipeline");
  });

  it("samples an instant trigger from real recent records, newest first, each described for the picker", async () => {
    const made = await sandboxPost("/contacts/", {
      locationId: sandbox.info.locationId,
      firstName: "Newest",
      lastName: "Sampled",
    });
    const instant = await f.call("POST", "/api/flows/test-trigger", {
      connectionId: CONN,
      trigger: { op: "highlevel.events.contact-create" },
    });
    expect(instant.json.source).toBe("live");
    expect(instant.json.items.length).toBeGreaterThan(1);
    expect(instant.json.items.length).toBeLessThanOrEqual(5);
    // Shaped as the webhook sends it (what a run of this flow will see), the newest contact first.
    expect(instant.json.items[0]).toMatchObject({
      id: made.contact.id,
      type: "ContactCreate",
      locationId: sandbox.info.locationId,
    });
    expect(instant.json.records).toHaveLength(instant.json.items.length);
    expect(instant.json.records[0]).toMatchObject({ noun: "contact", name: "Newest Sampled" });
    expect(Date.parse(instant.json.records[0].createdAt)).not.toBeNaN();
    expect(instant.json.requests[0]).toMatchObject({ method: "POST", path: "/contacts/search" });
  });

  it("samples an instant appointment trigger as the appointment the webhook would carry", async () => {
    const r = await f.call("POST", "/api/flows/test-trigger", {
      connectionId: CONN,
      trigger: { op: "highlevel.events.appointment-create" },
    });
    expect(r.json.source).toBe("live");
    expect(r.json.items[0].appointment).toMatchObject({ id: expect.any(String) });
  });

  it("falls back to the catalog's example for an instant trigger only with the reason", async () => {
    // No polling equivalent reads tasks account-wide: nothing to read, and nothing is requested.
    const task = await f.call("POST", "/api/flows/test-trigger", {
      connectionId: CONN,
      trigger: { op: "highlevel.events.task-create" },
    });
    expect(task.json).toMatchObject({ source: "example", reason: "not-readable" });
    expect(task.json.items).toHaveLength(1);
    expect(task.json.records).toBeUndefined();
    // A named connection that does not exist is the caller's mistake, not a fallback.
    const unknown = await f.call("POST", "/api/flows/test-trigger", {
      connectionId: "nope",
      trigger: { op: "highlevel.events.contact-create" },
    });
    expect(unknown.status).toBe(404);
    // No connection at all yet: the example, saying so.
    const bare = await webFixture();
    try {
      const none = await bare.call("POST", "/api/flows/test-trigger", {
        trigger: { op: "highlevel.events.contact-create" },
      });
      expect(none.json).toMatchObject({ source: "example", reason: "no-connection" });
      expect(none.json.note).toMatch(/no HighLevel connection yet/);
    } finally {
      await bare.close();
    }
  });
});

describe("connections for the web app", () => {
  it("tests a token on save: a refused one is not kept; a good one answers with its location", async () => {
    const bad = await f.call("POST", "/api/connections", {
      label: "Wrong",
      token: "pit-not-a-real-token",
      locationId: sandbox.info.locationId,
    });
    expect(bad.status).toBe(422);
    expect(bad.json.error).toMatch(/refused the token/);
    expect(JSON.stringify(bad.json)).not.toContain("pit-not-a-real-token");
    expect((await f.engine.store.listConnections()).map((c) => c.label)).not.toContain("Wrong");
    // The fixture's connection holds this token already: a second one is asked for explicitly.
    const again = await f.call("POST", "/api/connections", {
      label: "Good",
      token: sandbox.info.locationToken,
      locationId: sandbox.info.locationId,
    });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatch(/allowDuplicate/);
    const good = await f.call("POST", "/api/connections", {
      label: "Good",
      token: sandbox.info.locationToken,
      locationId: sandbox.info.locationId,
      allowDuplicate: true,
    });
    expect(good.status).toBe(201);
    expect(good.json.test).toMatchObject({ ok: true, location: { id: sandbox.info.locationId } });
    expect(Array.isArray(good.json.missingScopes)).toBe(true);
    expect(JSON.stringify(good.json)).not.toContain(sandbox.info.locationToken);
    await f.call("DELETE", `/api/connections/${good.json.connection.id}`);
  });

  it("lists a connection's locations with their names, and says whether OAuth is configured", async () => {
    const res = await f.call("GET", `/api/connections/${CONN}/locations`);
    expect(res.json.locations).toEqual([{ id: sandbox.info.locationId, name: expect.any(String) }]);
    expect((await f.call("GET", "/api/oauth/status")).json).toMatchObject({ configured: false });
    const req = await f.call("GET", "/api/flows/requirements");
    expect(req.json).toMatchObject({ flows: [], total: { scopes: [] } });
  });
});
