import { verify } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../src/index.ts";
import { type Api, start } from "./helpers.ts";

interface Received {
  raw: Buffer;
  signature: string;
  payload: Record<string, unknown>;
}

let receiver: Server;
let received: Received[] = [];
/** Decides each answer; may hold the response (returning without ending it). */
let respond: (req: Received, res: ServerResponse) => void = (_r, res) => res.end("ok");
let sb: Sandbox;
let api: Api;

beforeAll(async () => {
  receiver = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const r = { raw, signature: String(req.headers["x-ghl-signature"]), payload: JSON.parse(raw.toString()) };
    received.push(r);
    respond(r, res);
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;
  ({ sb, api } = await start({
    webhookUrl: `http://127.0.0.1:${port}/hooks`,
    webhookRetry: { retries: 2, delayMs: 1 },
  }));
});
beforeEach(() => {
  sb.reset();
  received = [];
  respond = (_r, res) => res.end("ok");
});
afterAll(async () => {
  await sb.close();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
});

const types = () => received.map((r) => r.payload.type);

async function newContact(body: Record<string, unknown> = {}) {
  const r = await api("/contacts/", {
    method: "POST",
    body: { locationId: sb.info.locationId, firstName: "Hook", ...body },
  });
  expect(r.status).toBe(201);
  return r.body.contact as { id: string };
}

describe("webhooks", () => {
  it("signs every event with the sandbox's Ed25519 key", async () => {
    const c = await newContact({ email: "hook@example.com", tags: ["a"] });
    await sb.webhooksIdle();
    expect(types()).toEqual(["ContactCreate"]);
    const [event] = received;
    const ok = verify(null, event!.raw, sb.info.webhookPublicKey, Buffer.from(event!.signature, "base64"));
    expect(ok).toBe(true);
    expect(
      verify(
        null,
        Buffer.from(`${event!.raw} `),
        sb.info.webhookPublicKey,
        Buffer.from(event!.signature, "base64"),
      ),
    ).toBe(false);
    expect(event!.payload).toMatchObject({
      type: "ContactCreate",
      locationId: sb.info.locationId,
      id: c.id,
      email: "hook@example.com",
      tags: ["a"],
      appId: sb.info.appId,
      versionId: sb.info.versionId,
    });
    expect(typeof event!.payload.webhookId).toBe("string");
    expect(Number.isNaN(Date.parse(String(event!.payload.timestamp)))).toBe(false);
  });

  it("sends contact, tag, note and task events", async () => {
    const c = await newContact();
    await api(`/contacts/${c.id}`, { method: "PUT", body: { city: "Reno" } });
    await api(`/contacts/${c.id}/tags`, { method: "POST", body: { tags: ["x"] } });
    const note = await api(`/contacts/${c.id}/notes`, { method: "POST", body: { body: "hi" } });
    await api(`/contacts/${c.id}/notes/${note.body.note.id}`, { method: "PUT", body: { body: "hey" } });
    await api(`/contacts/${c.id}/notes/${note.body.note.id}`, { method: "DELETE" });
    const task = await api(`/contacts/${c.id}/tasks`, {
      method: "POST",
      body: { title: "t", dueDate: "2025-01-01T00:00:00Z", completed: false },
    });
    await api(`/contacts/${c.id}/tasks/${task.body.task.id}/completed`, {
      method: "PUT",
      body: { completed: true },
    });
    await api(`/contacts/${c.id}/tasks/${task.body.task.id}`, { method: "DELETE" });
    await api(`/contacts/${c.id}`, { method: "DELETE" });
    await sb.webhooksIdle();
    expect([...types()].sort()).toEqual(
      [
        "ContactCreate",
        "ContactUpdate",
        "ContactTagUpdate",
        "NoteCreate",
        "NoteUpdate",
        "NoteDelete",
        "TaskCreate",
        "TaskComplete",
        "TaskDelete",
        "ContactDelete",
      ].sort(),
    );
    const noteEvent = received.find((r) => r.payload.type === "NoteCreate")!.payload;
    expect(noteEvent).toMatchObject({
      id: note.body.note.id,
      body: "hi",
      contactId: c.id,
      locationId: sb.info.locationId,
    });
  });

  it("redelivers only after a 429", async () => {
    let calls = 0;
    respond = (_r, res) => {
      calls++;
      res.statusCode = calls === 1 ? 429 : 200;
      res.end();
    };
    await newContact();
    await sb.webhooksIdle();
    expect(received).toHaveLength(2);
    expect(received[0]!.payload.webhookId).toBe(received[1]!.payload.webhookId);
    expect(sb.webhookDeliveries().at(-1)).toMatchObject({ attempts: 2, delivered: true, status: 200 });

    received = [];
    respond = (_r, res) => {
      res.statusCode = 500;
      res.end();
    };
    await newContact();
    await sb.webhooksIdle();
    expect(received).toHaveLength(1);
    expect(sb.webhookDeliveries().at(-1)).toMatchObject({ attempts: 1, delivered: false, status: 500 });
  });

  it("does not hold the API response for the delivery", async () => {
    const held: ServerResponse[] = [];
    respond = (_r, res) => held.push(res);
    const c = await newContact();
    expect(c.id).toBeTruthy(); // answered while the receiver has not answered yet
    for (let i = 0; i < 1000 && held.length === 0; i++) await new Promise((r) => setImmediate(r));
    expect(held).toHaveLength(1);
    for (const res of held) res.end("ok");
    await sb.webhooksIdle();
    expect(sb.webhookDeliveries().at(-1)).toMatchObject({ delivered: true });
  });
});
