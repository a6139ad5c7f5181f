import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  checkWebhookTypes,
  EVENTS_PATH,
  loadEvents,
  renderWebhookTypes,
  type WebhookEventsFile,
} from "../../../scripts/generate-webhook-types.ts";
import { HighLevelError } from "../src/errors.ts";
import {
  createWebhookPublicKey,
  type HighLevelWebhookEvent,
  type HighLevelWebhookEventMap,
  isWebhookEvent,
  verifyWebhook,
  WEBHOOK_EVENT_TYPE_VALUES,
  WEBHOOK_EVENT_TYPES,
  WebhookDeduper,
  type WebhookEventName,
  type WebhookFailureReason,
  WebhookVerificationError,
  webhookEventName,
} from "../src/webhooks.ts";

const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const other = generateKeyPairSync("ed25519");
const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
const der = publicKey.export({ type: "spki", format: "der" });
const raw = der.subarray(der.length - 32);

const NOW = Date.parse("2026-06-20T12:00:00.000Z");
const signWith = (body: string | Buffer, key: KeyObject = privateKey) =>
  sign(null, Buffer.isBuffer(body) ? body : Buffer.from(body), key).toString("base64");

function delivery(payload: Record<string, unknown>) {
  const body = Buffer.from(JSON.stringify(payload));
  return { body, headers: { "content-type": "application/json", "x-ghl-signature": signWith(body) } };
}
const contactCreate = {
  type: "ContactCreate",
  locationId: "L1",
  id: "c1",
  email: "a@example.com",
  appId: "app1",
  versionId: "v1",
  webhookId: "wh-1",
  timestamp: new Date(NOW - 10_000).toISOString(),
};

function reasonOf(fn: () => unknown): WebhookFailureReason {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WebhookVerificationError);
    expect(e).toBeInstanceOf(HighLevelError);
    expect((e as HighLevelError).code).toBe("WEBHOOK_SIGNATURE");
    return (e as WebhookVerificationError).reason;
  }
  throw new Error("expected verification to fail");
}

describe("verifyWebhook", () => {
  it("accepts a correctly signed, fresh delivery and returns the typed event", () => {
    const { body, headers } = delivery(contactCreate);
    const event = verifyWebhook(body, headers, { publicKey: pem, now: NOW });
    expect(event).toEqual(contactCreate);
    expect(webhookEventName(event)).toBe("ContactCreate");
    if (isWebhookEvent(event, "ContactCreate")) {
      expectTypeOf(event.email).toEqualTypeOf<string | undefined>();
      expect(event.email).toBe("a@example.com");
    } else {
      throw new Error("expected a ContactCreate event");
    }
  });

  it("accepts the key as PEM, base64 DER, base64 raw 32 bytes, hex, bytes or KeyObject", () => {
    const { body, headers } = delivery(contactCreate);
    for (const key of [
      pem,
      der.toString("base64"),
      raw.toString("base64"),
      raw.toString("hex"),
      raw,
      der,
      publicKey,
    ]) {
      expect(verifyWebhook(body, headers, { publicKey: key, now: NOW }).webhookId).toBe("wh-1");
    }
  });

  it("accepts the body as string or Uint8Array, and fetch-style Headers", () => {
    const { body, headers } = delivery(contactCreate);
    const fetchHeaders = new Headers({ "X-GHL-Signature": headers["x-ghl-signature"] });
    expect(verifyWebhook(body.toString("utf8"), headers, { publicKey: pem, now: NOW }).type).toBe(
      "ContactCreate",
    );
    expect(verifyWebhook(new Uint8Array(body), fetchHeaders, { publicKey: pem, now: NOW }).type).toBe(
      "ContactCreate",
    );
    // Node lower-cases header names, other frameworks may not.
    expect(
      verifyWebhook(body, { "X-Ghl-Signature": headers["x-ghl-signature"] }, { publicKey: pem, now: NOW })
        .webhookId,
    ).toBe("wh-1");
  });

  it("rejects a tampered body", () => {
    const { body, headers } = delivery(contactCreate);
    const tampered = Buffer.from(body.toString("utf8").replace("a@example.com", "b@example.com"));
    expect(reasonOf(() => verifyWebhook(tampered, headers, { publicKey: pem, now: NOW }))).toBe(
      "bad_signature",
    );
  });

  it("rejects the same body re-serialised differently (the signature covers the raw bytes)", () => {
    const { body, headers } = delivery(contactCreate);
    const pretty = JSON.stringify(JSON.parse(body.toString("utf8")), null, 2);
    expect(reasonOf(() => verifyWebhook(pretty, headers, { publicKey: pem, now: NOW }))).toBe(
      "bad_signature",
    );
  });

  it("rejects a signature made with another key", () => {
    const body = Buffer.from(JSON.stringify(contactCreate));
    const headers = { "x-ghl-signature": signWith(body, other.privateKey) };
    expect(reasonOf(() => verifyWebhook(body, headers, { publicKey: pem, now: NOW }))).toBe("bad_signature");
  });

  it("rejects a signature that is not base64 Ed25519", () => {
    const { body } = delivery(contactCreate);
    for (const sig of ["not base64!", Buffer.alloc(10).toString("base64"), "a,b"]) {
      expect(
        reasonOf(() => verifyWebhook(body, { "x-ghl-signature": sig }, { publicKey: pem, now: NOW })),
      ).toBe("bad_signature");
    }
  });

  it("rejects a missing signature header, naming the retired RSA header when only that came", () => {
    const { body } = delivery(contactCreate);
    expect(reasonOf(() => verifyWebhook(body, {}, { publicKey: pem, now: NOW }))).toBe("missing_signature");
    expect(reasonOf(() => verifyWebhook(body, { "x-ghl-signature": "" }, { publicKey: pem, now: NOW }))).toBe(
      "missing_signature",
    );
    expect(() => verifyWebhook(body, { "x-wh-signature": "abc" }, { publicKey: pem, now: NOW })).toThrow(
      /x-wh-signature/,
    );
  });

  it("rejects a stale timestamp, and one too far in the future", () => {
    const stale = delivery({ ...contactCreate, timestamp: new Date(NOW - 6 * 60_000).toISOString() });
    expect(reasonOf(() => verifyWebhook(stale.body, stale.headers, { publicKey: pem, now: NOW }))).toBe(
      "stale_timestamp",
    );
    // A longer window accepts it.
    expect(
      verifyWebhook(stale.body, stale.headers, { publicKey: pem, now: NOW, maxAgeMs: 10 * 60_000 }).webhookId,
    ).toBe("wh-1");
    const future = delivery({ ...contactCreate, timestamp: new Date(NOW + 6 * 60_000).toISOString() });
    expect(reasonOf(() => verifyWebhook(future.body, future.headers, { publicKey: pem, now: NOW }))).toBe(
      "future_timestamp",
    );
  });

  it("reads epoch timestamps in seconds and milliseconds", () => {
    for (const timestamp of [NOW - 1000, Math.floor((NOW - 1000) / 1000), String(NOW - 1000)]) {
      const d = delivery({ ...contactCreate, timestamp });
      expect(verifyWebhook(d.body, d.headers, { publicKey: pem, now: new Date(NOW) }).webhookId).toBe("wh-1");
    }
    const old = delivery({ ...contactCreate, timestamp: Math.floor((NOW - 3_600_000) / 1000) });
    expect(reasonOf(() => verifyWebhook(old.body, old.headers, { publicKey: pem, now: NOW }))).toBe(
      "stale_timestamp",
    );
  });

  it("rejects a missing or unreadable timestamp unless told not to require one", () => {
    const { timestamp: _, ...withoutTimestamp } = contactCreate;
    const none = delivery(withoutTimestamp);
    expect(reasonOf(() => verifyWebhook(none.body, none.headers, { publicKey: pem, now: NOW }))).toBe(
      "missing_timestamp",
    );
    expect(
      verifyWebhook(none.body, none.headers, { publicKey: pem, now: NOW, requireTimestamp: false }).webhookId,
    ).toBe("wh-1");
    const bad = delivery({ ...contactCreate, timestamp: "yesterday" });
    expect(reasonOf(() => verifyWebhook(bad.body, bad.headers, { publicKey: pem, now: NOW }))).toBe(
      "invalid_timestamp",
    );
  });

  it("rejects a correctly signed body that is not a JSON object", () => {
    for (const text of ['{"type": "ContactCreate",', "[1,2]", "null"]) {
      const body = Buffer.from(text);
      const headers = { "x-ghl-signature": signWith(body) };
      expect(reasonOf(() => verifyWebhook(body, headers, { publicKey: pem, now: NOW }))).toBe(
        "malformed_json",
      );
    }
  });

  it("reports an unusable public key as invalid_public_key", () => {
    const { body, headers } = delivery(contactCreate);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey;
    for (const key of ["", "not a key", Buffer.alloc(5).toString("base64"), rsa]) {
      expect(reasonOf(() => verifyWebhook(body, headers, { publicKey: key, now: NOW }))).toBe(
        "invalid_public_key",
      );
    }
    expect(createWebhookPublicKey(pem).asymmetricKeyType).toBe("ed25519");
  });

  it("refuses a parsed body", () => {
    const { headers } = delivery(contactCreate);
    const parsed = contactCreate as unknown as string;
    expect(() => verifyWebhook(parsed, headers, { publicKey: pem, now: NOW })).toThrow(TypeError);
  });
});

describe("WebhookDeduper", () => {
  it("flags a repeated webhookId and forgets the least recently seen beyond maxSize", () => {
    const d = new WebhookDeduper({ maxSize: 3 });
    expect(d.isDuplicate("a")).toBe(false);
    expect(d.isDuplicate("a")).toBe(true);
    expect(d.isDuplicate("b")).toBe(false);
    expect(d.isDuplicate("c")).toBe(false);
    expect(d.isDuplicate("a")).toBe(true); // "a" is now the most recent
    expect(d.isDuplicate("d")).toBe(false); // evicts "b"
    expect(d.size).toBe(3);
    expect(d.has("b")).toBe(false);
    expect(d.isDuplicate("a")).toBe(true);
    expect(d.isDuplicate("b")).toBe(false);
  });

  it("forget() lets a retried delivery through; events without webhookId are never duplicates", () => {
    const d = new WebhookDeduper();
    expect(d.isDuplicate("x")).toBe(false);
    expect(d.forget("x")).toBe(true);
    expect(d.isDuplicate("x")).toBe(false);
    expect(d.isDuplicate(undefined)).toBe(false);
    expect(d.isDuplicate(undefined)).toBe(false);
    expect(() => new WebhookDeduper({ maxSize: 0 })).toThrow(RangeError);
  });
});

describe("generated webhook event types", () => {
  const events = loadEvents();
  const names = Object.keys(events).sort();

  it("WEBHOOK_EVENT_TYPES lists every event of events.json", () => {
    expect(names).toHaveLength(58);
    expect([...WEBHOOK_EVENT_TYPES]).toEqual(names);
    expect(Object.keys(WEBHOOK_EVENT_TYPE_VALUES).sort()).toEqual(names);
  });

  it("the union and the map cover exactly those events", () => {
    expectTypeOf<keyof HighLevelWebhookEventMap>().toEqualTypeOf<WebhookEventName>();
    expectTypeOf<HighLevelWebhookEventMap[WebhookEventName]>().toEqualTypeOf<HighLevelWebhookEvent>();
    expectTypeOf<HighLevelWebhookEventMap["AppInstall"]["type"]>().toEqualTypeOf<"INSTALL">();
    const source = readFileSync(join(import.meta.dirname, "../src/generated/webhook-events.ts"), "utf8");
    const union = source.slice(source.indexOf("export type HighLevelWebhookEvent ="));
    for (const name of names) expect(union).toContain(`| ${name}Event`);
  });

  it("every type value maps back to one event, and examples carrying a type agree", () => {
    const values = Object.values(WEBHOOK_EVENT_TYPE_VALUES).flat();
    expect(new Set(values).size).toBe(values.length);
    for (const name of names) {
      const example = events[name]?.example as { type?: unknown } | null;
      if (typeof example?.type !== "string") continue;
      const found = webhookEventName(example);
      // Upstream copied AppointmentCreate's example into Delete/Update, and UserCreate's is a type sketch.
      if (["AppointmentDelete", "AppointmentUpdate", "UserCreate"].includes(name)) continue;
      expect(found, name).toBe(name);
    }
    expect(webhookEventName({ type: "INSTALL" })).toBe("AppInstall");
    expect(webhookEventName({ type: "SMS" })).toBe("ProviderOutboundMessage");
    expect(webhookEventName({ type: "nope" })).toBeUndefined();
  });

  it("the committed file is what the generator produces now", () => {
    const result = checkWebhookTypes();
    expect(result.actual).not.toBeNull();
    expect(result.upToDate).toBe(true);
  });

  it("the generator is deterministic and follows the schema rules", () => {
    // Output does not depend on the order of events.json.
    const reversed = Object.fromEntries(Object.entries(loadEvents(EVENTS_PATH)).reverse());
    expect(renderWebhookTypes(reversed)).toBe(renderWebhookTypes(events));
    const sample: WebhookEventsFile = {
      Sample: {
        schema: {
          type: "object",
          properties: {
            type: { type: "string" },
            id: { type: "string", required: true },
            "dash-key": { type: "integer" },
            status: { type: "string", enum: ["a", "b"] },
            tags: { type: "array", items: { type: "string" } },
            nested: { type: "object", properties: { when: { type: "Date" } } },
            mixed: { type: ["string", "number"] },
            list: { type: "array", items: { type: "object", properties: { k: { type: "boolean" } } } },
          },
          required: ["status"],
        },
        example: { type: "Sample" },
      },
      NoSchema: { schema: null, example: { type: "string", count: "number", names: ["string"] } },
    };
    const text = renderWebhookTypes(sample);
    expect(text).toContain("Generated by scripts/generate-webhook-types.ts");
    expect(text).toContain('  type: "Sample";');
    expect(text).toContain("  id: string;");
    expect(text).toContain('  "dash-key"?: number;');
    expect(text).toContain('  status: "a" | "b";');
    expect(text).toContain("  tags?: string[];");
    expect(text).toContain("    when?: string;");
    expect(text).toContain("  mixed?: string | number;");
    expect(text).toContain("    k?: boolean;\n  }[];");
    expect(text).toContain('  type: "NoSchema";');
    expect(text).toContain("  count?: number;");
    expect(text).toContain("  names?: string[];");
    expect(() =>
      renderWebhookTypes({
        A: { schema: null, example: { type: "X" } },
        B: { schema: null, example: { type: "X" } },
      }),
    ).toThrow(/share the type value/);
  });
});
