import { HighLevelClient, HighLevelError } from "@hlconnect/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEntry } from "../src/registry.ts";
import { CatalogInputError, createContext, pollEntry, runEntry } from "../src/runtime.ts";
import type { ActionEntry, CatalogContext, PollCursor } from "../src/types.ts";
import { type Harness, startHarness } from "./helpers.ts";

// The client's fetch records what goes over the wire, so the tests see the exact body the
// sandbox received (and the sandbox checks it against the spec: a bad one is answered 422).
interface Sent {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}
let h: Harness;
let ctx: CatalogContext;
let client: HighLevelClient;
const sent: Sent[] = [];
let contact: { id: string; email: string };

beforeAll(async () => {
  h = await startHarness();
  const recording: typeof fetch = async (url, init) => {
    const u = new URL(String(url));
    sent.push({
      method: String(init?.method ?? "GET"),
      path: u.pathname,
      body: typeof init?.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : undefined,
    });
    return fetch(url, init);
  };
  client = new HighLevelClient({
    credentials: h.sandbox.info.locationToken,
    baseUrl: h.sandbox.info.baseUrl,
    locationId: h.sandbox.info.locationId,
    fetch: recording,
  });
  ctx = createContext({ client });
  const c = (await client.call("create-contact", undefined, {
    locationId: ctx.locationId,
    firstName: "Sam",
    lastName: "Seller",
    email: "sam.seller@example.com",
    phone: "+14155550123",
  } as never)) as { contact: { id: string; email: string } };
  contact = c.contact;
});
afterAll(async () => {
  await h?.sandbox.close();
});

const lastSend = () => sent.filter((s) => s.method === "POST" && s.path === "/conversations/messages").at(-1);

describe("Send SMS", () => {
  const entry = () => getEntry("highlevel.conversations.send-sms") as ActionEntry;

  it("is never repeated automatically", () => {
    expect(entry().idempotency).toBe("unsafe");
    expect(getEntry("highlevel.conversations.send-email")).toMatchObject({ idempotency: "unsafe" });
  });

  it("sends typed phones as E.164 and a typed send time as epoch seconds", async () => {
    const before = h.sandbox.requests().length;
    const out = (await runEntry(entry(), ctx, {
      contactId: contact.id,
      message: "  Open house Saturday 2pm!  ",
      fromNumber: "(415) 555-0100",
      toNumber: "415.555.0199",
      scheduledTimestamp: "2030-01-15T09:30:00-08:00",
    })) as { messageId: string; conversationId: string };
    expect(lastSend()?.body).toEqual({
      type: "SMS",
      contactId: contact.id,
      message: "Open house Saturday 2pm!",
      fromNumber: "+14155550100",
      toNumber: "+14155550199",
      scheduledTimestamp: Date.UTC(2030, 0, 15, 17, 30) / 1000,
    });
    const answered = h.sandbox.requests().slice(before);
    expect(answered.map((r) => [r.method, r.path, r.status])).toEqual([
      ["POST", "/conversations/messages", 200],
    ]);
    expect(out.messageId).toEqual(expect.any(String));
    expect(out.conversationId).toEqual(expect.any(String));
    const stored = (await client.call("get-message", { id: out.messageId })) as Record<string, unknown>;
    expect(stored).toMatchObject({
      body: "Open house Saturday 2pm!",
      messageType: "TYPE_SMS",
      contactId: contact.id,
    });
  });

  it("reads MM/DD/YYYY h:mm am and a spreadsheet-mangled number", async () => {
    await runEntry(entry(), ctx, {
      contactId: contact.id,
      message: "Reminder",
      fromNumber: 4155550100.0,
      scheduledTimestamp: "01/15/2030 9:30 am",
    });
    expect(lastSend()?.body).toMatchObject({
      fromNumber: "+14155550100",
      scheduledTimestamp: Date.UTC(2030, 0, 15, 9, 30) / 1000,
    });
  });

  it("refuses an unreadable phone or date before sending anything", async () => {
    const before = h.sandbox.requests().length;
    await expect(
      runEntry(entry(), ctx, { contactId: contact.id, message: "x", fromNumber: "555-01" }),
    ).rejects.toBeInstanceOf(CatalogInputError);
    await expect(
      runEntry(entry(), ctx, { contactId: contact.id, message: "x", scheduledTimestamp: "next tuesday" }),
    ).rejects.toThrow(/Send at/);
    await expect(runEntry(entry(), ctx, { contactId: contact.id, message: "   " })).rejects.toThrow(
      /Message/,
    );
    expect(h.sandbox.requests().length).toBe(before);
  });

  it("names a Do Not Disturb refusal plainly", async () => {
    const refusing = new HighLevelClient({
      credentials: h.sandbox.info.locationToken,
      baseUrl: h.sandbox.info.baseUrl,
      locationId: h.sandbox.info.locationId,
      fetch: async () =>
        new Response(
          JSON.stringify({ statusCode: 400, message: "Cannot send message as DND is active for SMS." }),
          {
            status: 400,
            headers: { "content-type": "application/json" },
          },
        ),
    });
    const err = await runEntry(entry(), createContext({ client: refusing }), {
      contactId: contact.id,
      message: "hello",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HighLevelError);
    expect((err as HighLevelError).message).toMatch(/^Not sent: the contact has Do Not Disturb on for SMS/);
    expect((err as HighLevelError).status).toBe(400);
  });
});

describe("Send Email", () => {
  const entry = () => getEntry("highlevel.conversations.send-email");

  it("sends subject, html and cc list as HighLevel takes them, and gives the email's ids", async () => {
    const out = (await runEntry(entry(), ctx, {
      contactId: contact.id,
      subject: "Your home valuation",
      html: "<p>Hi Sam</p>",
      emailCc: "Partner@Example.com, assistant@example.com",
      scheduledTimestamp: 1_894_728_600_000,
    })) as Record<string, unknown>;
    expect(lastSend()?.body).toEqual({
      type: "Email",
      contactId: contact.id,
      subject: "Your home valuation",
      html: "<p>Hi Sam</p>",
      emailCc: ["partner@example.com", "assistant@example.com"],
      scheduledTimestamp: 1_894_728_600,
    });
    expect(out).toMatchObject({ messageId: expect.any(String), conversationId: expect.any(String) });
    expect(out.emailMessageId).toEqual(expect.any(String));
  });

  it("needs a body and valid addresses", async () => {
    await expect(runEntry(entry(), ctx, { contactId: contact.id, subject: "No body" })).rejects.toThrow(
      /give a body/,
    );
    await expect(
      runEntry(entry(), ctx, {
        contactId: contact.id,
        subject: "s",
        message: "m",
        emailBcc: "not-an-address",
      }),
    ).rejects.toThrow(/not a valid email address/);
  });
});

describe("message and conversation triggers", () => {
  async function poll(key: string, input: Record<string, unknown>, cursor: PollCursor | undefined) {
    const before = h.sandbox.requests().length;
    const r = await pollEntry(getEntry(key), ctx, input, cursor);
    return { ...r, seen: h.sandbox.requests().length - before };
  }

  it("Get Messages by Conversation fires once per new message; idle costs one request", async () => {
    const sms = (await runEntry(getEntry("highlevel.conversations.send-sms"), ctx, {
      contactId: contact.id,
      message: "first",
    })) as { conversationId: string };
    const input = { conversationId: sms.conversationId };
    const first = await poll("highlevel.conversations.messages.list", input, undefined);
    expect(first.items).toEqual([]);
    const next = (await runEntry(getEntry("highlevel.conversations.send-sms"), ctx, {
      contactId: contact.id,
      message: "second",
    })) as { messageId: string };
    const second = await poll("highlevel.conversations.messages.list", input, first.cursor);
    expect(second.items.map((m) => (m as { id: string }).id)).toEqual([next.messageId]);
    const idle = await poll("highlevel.conversations.messages.list", input, second.cursor);
    expect(idle.items).toEqual([]);
    expect(idle.seen).toBe(1);
  });

  it("Search Conversations fires when a conversation gets a new message", async () => {
    const first = await poll("highlevel.conversations.search", {}, undefined);
    expect(first.items).toEqual([]);
    await new Promise((r) => setTimeout(r, 5)); // a later lastMessageDate than anything before
    const sms = (await runEntry(getEntry("highlevel.conversations.send-sms"), ctx, {
      contactId: contact.id,
      message: "any news?",
    })) as { conversationId: string };
    const second = await poll("highlevel.conversations.search", {}, first.cursor);
    expect(second.items.map((c) => (c as { id: string }).id)).toEqual([sms.conversationId]);
    const idle = await poll("highlevel.conversations.search", {}, second.cursor);
    expect(idle.items).toEqual([]);
    expect(idle.seen).toBe(1);
  });
});
