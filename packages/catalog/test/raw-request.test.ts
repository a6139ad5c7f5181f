import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequestIdempotency } from "../src/entries/raw-request.ts";
import { getEntry } from "../src/registry.ts";
import { runEntry } from "../src/runtime.ts";
import { type Harness, startHarness } from "./helpers.ts";

// The raw request calls any operation by key; what it checks must cost no request.
describe("highlevel.api.request", () => {
  let h: Harness;
  const entry = getEntry("highlevel.api.request");
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.sandbox.close();
  });

  /** Run the entry and return the error it fails with, and how many requests it sent. */
  async function failure(input: unknown): Promise<{ message: string; sent: number }> {
    const before = h.sandbox.requests().length;
    const err = await runEntry(entry, h.ctx, input).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, "the call should have been refused").toBeInstanceOf(Error);
    return { message: (err as Error).message, sent: h.sandbox.requests().length - before };
  }

  it("refuses an unknown operation, suggests the key, and sends nothing", async () => {
    const { message, sent } = await failure({ operation: "get-contactz", params: { limit: 2 } });
    expect(message).toContain('Unknown operation "get-contactz"');
    expect(message).toContain('"get-contacts"');
    expect(message).toMatch(/^highlevel\.api\.request: invalid input: operation: /);
    expect(sent).toBe(0);
  });

  it("names a body field of the wrong type before any request", async () => {
    const { message, sent } = await failure({
      operation: "create-contact",
      body: { firstName: 42, email: "wrong.type@example.com" },
    });
    expect(message).toContain("body.firstName:");
    expect(message).toContain("expected string");
    expect(sent).toBe(0);
  });

  it("names nested body fields, unknown parameters (with a suggestion) and missing ones", async () => {
    const nested = await failure({
      operation: "create-opportunity",
      body: { pipelineId: "p", name: "Deal", status: "open", contactId: "c", monetaryValue: "a lot" },
    });
    expect(nested.message).toContain("body.monetaryValue:");
    const typo = await failure({ operation: "get-contacts", params: { limt: 2 } });
    expect(typo.message).toContain("params.limt:");
    expect(typo.message).toContain('did you mean "limit"');
    const missing = await failure({ operation: "get-contact", params: {} });
    expect(missing.message).toContain('params.contactId: get-contact needs the parameter "contactId"');
    const noBody = await failure({ operation: "get-contacts", body: { limit: 2 } });
    expect(noBody.message).toContain("body: get-contacts takes no request body");
    const bodyMissing = await failure({ operation: "add-followers-contact", params: { contactId: "c1" } });
    expect(bodyMissing.message).toContain("body.followers:");
    expect(nested.sent + typo.sent + missing.sent + noBody.sent + bodyMissing.sent).toBe(0);
  });

  it("does a GET with the connection's location, taking query numbers typed as text", async () => {
    const before = h.sandbox.requests().length;
    const out = (await runEntry(entry, h.ctx, { operation: "get-contacts", params: { limit: "2" } })) as {
      contacts: unknown[];
    };
    expect(out.contacts.length).toBe(2);
    const sent = h.sandbox.requests().slice(before);
    expect(sent.map((r) => [r.method, r.path, r.status])).toEqual([["GET", "/contacts/", 200]]);
  });

  it("does a POST, filling the body's locationId, and answers what the API answered", async () => {
    const before = h.sandbox.requests().length;
    const out = (await runEntry(entry, h.ctx, {
      operation: "create-contact",
      body: { firstName: "Raw", lastName: "Request", email: "raw.request@example.com" },
    })) as { contact: { id: string; locationId: string; email: string } };
    expect(out.contact.email).toBe("raw.request@example.com");
    expect(out.contact.locationId).toBe(h.sandbox.info.locationId);
    const sent = h.sandbox.requests().slice(before);
    expect(sent.map((r) => [r.method, r.path, r.status])).toEqual([["POST", "/contacts/", 201]]);
    const read = (await runEntry(entry, h.ctx, {
      operation: "get-contact",
      params: { contactId: out.contact.id },
    })) as { contact: { firstName: string } };
    expect(read.contact.firstName).toBe("Raw");
  });

  it("accepts a label the document mistypes as an object but HighLevel takes as text", async () => {
    const out = (await runEntry(entry, h.ctx, {
      operation: "associations:create-association",
      body: {
        key: "raw_request_partner",
        firstObjectKey: "contact",
        firstObjectLabel: "Partner",
        secondObjectKey: "business",
        secondObjectLabel: "Partner Business",
      },
    })) as { key: string; associationType: string };
    expect(out).toMatchObject({ key: "raw_request_partner", associationType: "USER_DEFINED" });
  });

  it("is declared unsafe; the class of one call follows the operation", () => {
    expect(entry.kind === "action" && entry.idempotency).toBe("unsafe");
    expect(rawRequestIdempotency("get-contacts")).toBe("safe");
    expect(rawRequestIdempotency("upsert-contact")).toBe("safe");
    expect(rawRequestIdempotency("create-contact")).toBe("unsafe");
    expect(rawRequestIdempotency("send-a-new-message")).toBe("unsafe");
  });
});
