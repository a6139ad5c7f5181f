import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, validateResponse } from "../src/index.ts";
import { type Api, type CallResult, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;

beforeAll(async () => {
  ({ sb, api } = await start({ seed: 41, rateLimit: { max: 10_000, windowMs: 1000 } }));
});
beforeEach(() => sb.reset());
afterAll(() => sb.close());

/** The answer must match the official (corrected) response schema of its status. */
function conforms(operation: string, r: CallResult) {
  const v = validateResponse(operation, r.status, r.body);
  expect(v.errors, `${operation} ${r.status}`).toEqual([]);
  expect(v.declared, `${operation} declares ${r.status}`).toBe(true);
}

const loc = () => sb.info.locationId;
const V = "2021-04-15";

interface Msg {
  id: string;
  messageType: string;
  conversationId: string;
  status: string;
  meta?: { email?: { messageIds: string[] }; callDuration?: string };
  error?: unknown;
}

/** The seeded second conversation (the second contact's): an email and a recorded call. */
async function seededMessages(): Promise<{ conversationId: string; email: Msg; call: Msg; sms: Msg }> {
  const contacts = (await api(`/contacts/?locationId=${loc()}`)).body.contacts;
  const conv = (
    await api(`/conversations/search?locationId=${loc()}&contactId=${contacts[1].id}`, { version: V })
  ).body.conversations[0];
  const messages = (await api(`/conversations/${conv.id}/messages`, { version: V })).body.messages as Msg[];
  const olivia = (
    await api(`/conversations/search?locationId=${loc()}&contactId=${contacts[0].id}`, { version: V })
  ).body.conversations[0];
  const sms = (await api(`/conversations/${olivia.id}/messages?limit=1`, { version: V })).body.messages[0];
  return {
    conversationId: conv.id,
    email: messages.find((m) => m.messageType === "TYPE_EMAIL")!,
    call: messages.find((m) => m.messageType === "TYPE_CALL")!,
    sms,
  };
}

/** Raw fetch: recordings and transcripts are not JSON. */
async function download(path: string, token = sb.info.locationToken) {
  const res = await fetch(`${sb.info.baseUrl}${path}`, {
    headers: { authorization: `Bearer ${token}`, version: V },
  });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe("seeded conversation", () => {
  it("holds an email and a call message that conform to get-message", async () => {
    const { email, call } = await seededMessages();
    expect(email.meta?.email?.messageIds).toHaveLength(1);
    expect(call.meta).toMatchObject({ callDuration: "42", callStatus: "completed" });
    for (const m of [email, call]) {
      const r = await api(`/conversations/messages/${m.id}`, { version: V });
      conforms("get-message", r);
    }
    // Olivia's conversation stays the most recent one.
    const search = await api(`/conversations/search?locationId=${loc()}`, { version: V });
    expect(search.body.conversations[0].lastMessageBody).toBe("Thanks! See you then.");
  });
});

describe("GET /conversations/messages/email/{id}", () => {
  it("answers the seeded email by its email message id", async () => {
    const { email } = await seededMessages();
    const emailId = email.meta!.email!.messageIds[0]!;
    const r = await api(`/conversations/messages/email/${emailId}`, { version: V });
    expect(r.status).toBe(200);
    conforms("get-email-by-id", r);
    expect(r.body).toMatchObject({
      id: emailId,
      threadId: emailId,
      conversationId: email.conversationId,
      subject: "Your listing consultation",
      direction: "outbound",
      contentType: "text/html",
      from: "Demo Realty <hello@demo-realty.example>",
      to: ["liam.chen@example.com"],
      locationId: loc(),
    });
  });

  it("answers an email sent through the API by the emailMessageId it returned", async () => {
    const contacts = (await api(`/contacts/?locationId=${loc()}`)).body.contacts;
    const sent = await api("/conversations/messages", {
      method: "POST",
      version: V,
      body: { type: "Email", contactId: contacts[2].id, subject: "Hello", html: "<p>Hi Ava</p>" },
    });
    const r = await api(`/conversations/messages/email/${sent.body.emailMessageId}`, { version: V });
    expect(r.status).toBe(200);
    conforms("get-email-by-id", r);
    expect(r.body).toMatchObject({
      subject: "Hello",
      body: "<p>Hi Ava</p>",
      to: ["ava.johnson@example.com"],
    });
  });

  it("refuses unknown ids, other message types and other locations", async () => {
    const { sms, email } = await seededMessages();
    for (const id of ["nosuchemail000000000", sms.id]) {
      const r = await api(`/conversations/messages/email/${id}`, { version: V });
      expect(r.status).toBe(400);
      expect(r.body.message).toBe("Email message not found");
    }
    const otherToken = sb.createToken({ locationId: sb.info.otherLocationId });
    const r = await api(`/conversations/messages/email/${email.meta!.email!.messageIds[0]}`, {
      version: V,
      token: otherToken,
    });
    expect(r.status).toBe(403);
  });
});

describe("call recordings and transcriptions", () => {
  it("serves the recording as a WAV attachment", async () => {
    const { call } = await seededMessages();
    const r = await download(`/conversations/messages/${call.id}/locations/${loc()}/recording`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("audio/x-wav");
    expect(r.headers.get("content-disposition")).toBe("Attachment; filename=audio.wav");
    expect(r.bytes.subarray(0, 4).toString("ascii")).toBe("RIFF");
    expect(r.bytes.subarray(8, 12).toString("ascii")).toBe("WAVE");
    expect(r.bytes.readUInt32LE(40)).toBe(r.bytes.length - 44);
    expect(validateResponse("get-message-recording", 200, null).declared).toBe(false); // no JSON schema
  });

  it("answers 400 for a message without a recording or an unknown message", async () => {
    const { email } = await seededMessages();
    const none = await api(`/conversations/messages/${email.id}/locations/${loc()}/recording`, {
      version: V,
    });
    expect(none.status).toBe(400);
    conforms("get-message-recording", none);
    expect(none.body.message).toBe("Recording not found");
    const unknown = await api(`/conversations/messages/nosuchmessage0000000/locations/${loc()}/recording`, {
      version: V,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe("Message not found");
  });

  it("answers the transcription and downloads it as text", async () => {
    const { call, email } = await seededMessages();
    const r = await api(`/conversations/locations/${loc()}/messages/${call.id}/transcription`, {
      version: V,
    });
    expect(r.status).toBe(200);
    conforms("get-message-transcription", r);
    expect(r.body).toMatchObject({ mediaChannel: 2, sentenceIndex: 1, startTime: 0, endTime: 19_900 });
    expect(r.body.transcript).toMatch(
      /^Thank you for calling Demo Realty.*Thursday at three works for me\.$/,
    );

    const file = await download(
      `/conversations/locations/${loc()}/messages/${call.id}/transcription/download`,
    );
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(file.headers.get("content-disposition")).toBe('Attachment; filename="transcription.txt"');
    const lines = file.bytes.toString("utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe("Hi Alex, it's Liam. I got your email about the listing consultation.");

    const none = await api(`/conversations/locations/${loc()}/messages/${email.id}/transcription`, {
      version: V,
    });
    expect(none.status).toBe(400);
    conforms("get-message-transcription", none);
    expect(none.body.message).toBe("Transcription not found");
    const noneFile = await api(
      `/conversations/locations/${loc()}/messages/${email.id}/transcription/download`,
      {
        version: V,
      },
    );
    expect(noneFile.status).toBe(400);
    conforms("download-message-transcription", noneFile);
  });

  it("refuses another location's calls", async () => {
    const { call } = await seededMessages();
    const other = sb.info.otherLocationId;
    const otherToken = sb.createToken({ locationId: other });
    const paths = [
      `/conversations/messages/${call.id}/locations/${other}/recording`,
      `/conversations/locations/${other}/messages/${call.id}/transcription`,
      `/conversations/locations/${other}/messages/${call.id}/transcription/download`,
    ];
    for (const path of paths) {
      // Our token naming their location, and their token reaching our message.
      expect((await api(path, { version: V })).status).toBe(403);
      expect((await api(path, { version: V, token: otherToken })).status).toBe(403);
    }
    // An agency token reaches both locations, but the message is not in the named one.
    const agency = await api(`/conversations/locations/${other}/messages/${call.id}/transcription`, {
      version: V,
      token: sb.info.agencyToken,
    });
    expect(agency.status).toBe(401); // these routes take location tokens only
  });
});

describe("PUT /conversations/messages/{messageId}/status", () => {
  async function customMessage() {
    const contacts = (await api(`/contacts/?locationId=${loc()}`)).body.contacts;
    const sent = await api("/conversations/messages", {
      method: "POST",
      version: V,
      body: { type: "Custom", contactId: contacts[3].id, message: "Sent through our provider" },
    });
    expect(sent.status).toBe(200);
    return sent.body.messageId as string;
  }

  it("lets a custom provider report delivered, read and failed with error details", async () => {
    const id = await customMessage();
    const read = await api(`/conversations/messages/${id}/status`, {
      method: "PUT",
      version: V,
      body: { status: "read" },
    });
    expect(read.status).toBe(200);
    conforms("update-message-status", read);
    expect(read.body).toMatchObject({ messageId: id, status: "read" });
    expect((await api(`/conversations/messages/${id}`, { version: V })).body.status).toBe("read");

    const error = { code: "30003", type: "saas", message: "Unreachable destination handset" };
    const failed = await api(`/conversations/messages/${id}/status`, {
      method: "PUT",
      version: V,
      body: { status: "failed", error },
    });
    conforms("update-message-status", failed);
    const stored = await api(`/conversations/messages/${id}`, { version: V });
    conforms("get-message", stored);
    expect(stored.body).toMatchObject({ status: "failed", error });

    await api(`/conversations/messages/${id}/status`, {
      method: "PUT",
      version: V,
      body: { status: "delivered" },
    });
    const after = (await api(`/conversations/messages/${id}`, { version: V })).body as Msg;
    expect(after.status).toBe("delivered");
    expect(after.error).toBeUndefined();
  });

  it("refuses other messages, unknown ids and invalid bodies", async () => {
    const { sms } = await seededMessages();
    const notCustom = await api(`/conversations/messages/${sms.id}/status`, {
      method: "PUT",
      version: V,
      body: { status: "read" },
    });
    expect(notCustom.status).toBe(400);
    conforms("update-message-status", notCustom);
    expect(notCustom.body.message).toBe(
      "Message status can only be updated for messages of a custom conversation provider",
    );
    const unknown = await api("/conversations/messages/nosuchmessage0000000/status", {
      method: "PUT",
      version: V,
      body: { status: "read" },
    });
    expect(unknown.status).toBe(400);

    const id = await customMessage();
    const badStatus = await api(`/conversations/messages/${id}/status`, {
      method: "PUT",
      version: V,
      body: { status: "opened" },
    });
    expect(badStatus.status).toBe(422);
    expect(badStatus.body.message).toEqual([
      "status must be one of the following values: delivered, failed, pending, read",
    ]);
    const badError = await api(`/conversations/messages/${id}/status`, {
      method: "PUT",
      version: V,
      body: { status: "failed", error: { code: "1" } },
    });
    expect(badError.status).toBe(422);
    const wrongEmail = await api(`/conversations/messages/${id}/status`, {
      method: "PUT",
      version: V,
      body: { status: "read", emailMessageId: "nosuchemail000000000" },
    });
    expect(wrongEmail.status).toBe(400);

    const otherToken = sb.createToken({ locationId: sb.info.otherLocationId });
    const foreign = await api(`/conversations/messages/${id}/status`, {
      method: "PUT",
      version: V,
      token: otherToken,
      body: { status: "read" },
    });
    expect(foreign.status).toBe(403);
  });
});

describe("POST /conversations/providers/live-chat/typing", () => {
  it("accepts the typing indicator for a conversation of the location (201)", async () => {
    const { conversationId } = await seededMessages();
    for (const isTyping of [true, "false"]) {
      const r = await api("/conversations/providers/live-chat/typing", {
        method: "POST",
        version: V,
        body: { locationId: loc(), isTyping, visitorId: "visitor-1", conversationId },
      });
      expect(r.status).toBe(201);
      conforms("live-chat-agent-typing", r);
      expect(r.body.success).toBe(true);
    }
  });

  it("refuses unknown conversations, bad flags and other locations", async () => {
    const { conversationId } = await seededMessages();
    const body = { locationId: loc(), isTyping: true, visitorId: "visitor-1", conversationId };
    const unknown = await api("/conversations/providers/live-chat/typing", {
      method: "POST",
      version: V,
      body: { ...body, conversationId: "nosuchconversation00" },
    });
    expect(unknown.status).toBe(400);
    conforms("live-chat-agent-typing", unknown);
    const flag = await api("/conversations/providers/live-chat/typing", {
      method: "POST",
      version: V,
      body: { ...body, isTyping: "maybe" },
    });
    expect(flag.status).toBe(422);
    conforms("live-chat-agent-typing", flag);
    const missing = await api("/conversations/providers/live-chat/typing", {
      method: "POST",
      version: V,
      body: { locationId: loc(), isTyping: true, conversationId },
    });
    expect(missing.status).toBe(422);
    expect(missing.body.message).toContain("visitorId should not be empty");

    const other = sb.info.otherLocationId;
    const otherToken = sb.createToken({ locationId: other });
    const named = await api("/conversations/providers/live-chat/typing", {
      method: "POST",
      version: V,
      body: { ...body, locationId: other },
    });
    expect(named.status).toBe(403);
    const reached = await api("/conversations/providers/live-chat/typing", {
      method: "POST",
      version: V,
      token: otherToken,
      body: { ...body, locationId: other },
    });
    expect(reached.status).toBe(403);
  });
});
