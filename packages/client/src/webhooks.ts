// Receiving HighLevel webhooks: signature check (x-ghl-signature, Ed25519 over the raw body bytes),
// freshness of `timestamp`, JSON parsing into the generated event types, and an optional in-memory
// deduper of `webhookId`s.
//
// No public key is built in: HighLevel publishes its webhook key in its documentation and app settings
// and may rotate it, so the caller passes it (keeping a wrong constant here would reject every event).
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { HighLevelError } from "./errors.ts";
import {
  type HighLevelWebhookEvent,
  type HighLevelWebhookEventMap,
  WEBHOOK_EVENT_TYPE_VALUES,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventName,
} from "./generated/webhook-events.ts";

export * from "./generated/webhook-events.ts";

export const WEBHOOK_SIGNATURE_HEADER = "x-ghl-signature";
/** The RSA header HighLevel stopped sending on 2026-07-01; only named in error messages. */
const LEGACY_SIGNATURE_HEADER = "x-wh-signature";
export const DEFAULT_WEBHOOK_MAX_AGE_MS = 5 * 60_000;
export const DEFAULT_WEBHOOK_MAX_FUTURE_MS = 5 * 60_000;

/** PEM, base64 (or hex) of the SPKI DER or of the raw 32-byte key, those bytes, or a KeyObject. */
export type WebhookPublicKey = string | Uint8Array | KeyObject;

/** Node's IncomingHttpHeaders, a plain object, or a fetch Headers. */
export type WebhookHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyWebhookOptions {
  publicKey: WebhookPublicKey;
  /** Oldest accepted `timestamp` (default 5 minutes). */
  maxAgeMs?: number;
  /** How far `timestamp` may be ahead of this clock (default 5 minutes, for clock skew). */
  maxFutureMs?: number;
  /** The current time (default: now). */
  now?: Date | number;
  /** Reject payloads without a `timestamp` (default true: without one a replay cannot be told apart). */
  requireTimestamp?: boolean;
}

export type WebhookFailureReason =
  | "missing_signature"
  | "bad_signature"
  | "malformed_json"
  | "missing_timestamp"
  | "invalid_timestamp"
  | "stale_timestamp"
  | "future_timestamp"
  | "invalid_public_key";

/** A webhook that failed verification; `reason` says why (answer 401, or 500 for invalid_public_key). */
export class WebhookVerificationError extends HighLevelError {
  readonly reason: WebhookFailureReason;
  constructor(reason: WebhookFailureReason, message: string, cause?: unknown) {
    super(`Webhook rejected (${reason}): ${message}`, { code: "WEBHOOK_SIGNATURE", retryable: false, cause });
    this.name = "WebhookVerificationError";
    this.reason = reason;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

// RFC 8410: an Ed25519 SubjectPublicKeyInfo is this 12-byte header followed by the 32-byte key.
const ED25519_SPKI_HEADER = Buffer.from("302a300506032b6570032100", "hex");
const RAW_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

const keyCache = new Map<string, KeyObject>();
const KEY_CACHE_SIZE = 8;

/** Parse a public key once, e.g. at start-up, to reuse it for every delivery. */
export function createWebhookPublicKey(key: WebhookPublicKey): KeyObject {
  if (typeof key === "string") {
    const cached = keyCache.get(key);
    if (cached) return cached;
    const parsed = parseKey(key);
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(key, parsed);
    return parsed;
  }
  return parseKey(key);
}

function parseKey(key: WebhookPublicKey): KeyObject {
  let keyObject: KeyObject;
  try {
    if (typeof key === "string" && key.includes("-----BEGIN")) {
      keyObject = createPublicKey(key);
    } else if (typeof key === "string" || key instanceof Uint8Array) {
      const bytes = typeof key === "string" ? decodeKeyText(key.trim()) : Buffer.from(key);
      const der = bytes.length === RAW_KEY_BYTES ? Buffer.concat([ED25519_SPKI_HEADER, bytes]) : bytes;
      keyObject = createPublicKey({ key: der, format: "der", type: "spki" });
    } else {
      keyObject = key.type === "private" ? createPublicKey(key) : key;
    }
  } catch (cause) {
    throw new WebhookVerificationError(
      "invalid_public_key",
      "the configured public key cannot be read (expected PEM, base64 DER or a raw 32-byte Ed25519 key)",
      cause,
    );
  }
  if (keyObject.asymmetricKeyType !== "ed25519") {
    throw new WebhookVerificationError(
      "invalid_public_key",
      `the configured public key is ${keyObject.asymmetricKeyType ?? keyObject.type}, not Ed25519`,
    );
  }
  return keyObject;
}

function decodeKeyText(text: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw new Error("not base64");
  return Buffer.from(text, "base64");
}

/**
 * Verify a delivery and return its event. `rawBody` must be the bytes as received: a body parsed and
 * serialised again does not match the signature. Throws WebhookVerificationError (code WEBHOOK_SIGNATURE).
 * The payload's shape is typed from the documented schemas, not validated.
 */
export function verifyWebhook<E extends HighLevelWebhookEvent = HighLevelWebhookEvent>(
  rawBody: Buffer | Uint8Array | string,
  headers: WebhookHeaders,
  options: VerifyWebhookOptions,
): E {
  if (typeof rawBody !== "string" && !(rawBody instanceof Uint8Array)) {
    throw new TypeError(
      "verifyWebhook needs the raw request body (Buffer, Uint8Array or string), not a parsed object",
    );
  }
  const key = createWebhookPublicKey(options.publicKey);
  const bytes = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody;

  const header = headerValue(headers, WEBHOOK_SIGNATURE_HEADER);
  if (header === undefined || header.trim() === "") {
    const legacy = headerValue(headers, LEGACY_SIGNATURE_HEADER) !== undefined;
    throw new WebhookVerificationError(
      "missing_signature",
      `no ${WEBHOOK_SIGNATURE_HEADER} header` +
        (legacy ? ` (only the retired RSA ${LEGACY_SIGNATURE_HEADER}, which is not accepted)` : ""),
    );
  }
  const signature = decodeSignature(header.trim());
  let valid = false;
  try {
    valid = verify(null, bytes, key, signature);
  } catch (cause) {
    throw new WebhookVerificationError("bad_signature", "the signature could not be checked", cause);
  }
  if (!valid) {
    throw new WebhookVerificationError(
      "bad_signature",
      "the signature does not match the body and public key",
    );
  }

  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new WebhookVerificationError("malformed_json", "the body is not valid JSON", cause);
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new WebhookVerificationError("malformed_json", "the body is not a JSON object");
  }

  checkTimestamp((payload as Record<string, unknown>).timestamp, options);
  return payload as E;
}

function checkTimestamp(value: unknown, options: VerifyWebhookOptions): void {
  if (value === undefined || value === null || value === "") {
    if (options.requireTimestamp === false) return;
    throw new WebhookVerificationError("missing_timestamp", "the payload has no timestamp");
  }
  const at = timestampMs(value);
  if (at === undefined) {
    throw new WebhookVerificationError(
      "invalid_timestamp",
      `the timestamp ${JSON.stringify(value)} is not a date`,
    );
  }
  const now = options.now === undefined ? Date.now() : new Date(options.now).getTime();
  const maxAge = options.maxAgeMs ?? DEFAULT_WEBHOOK_MAX_AGE_MS;
  const maxFuture = options.maxFutureMs ?? DEFAULT_WEBHOOK_MAX_FUTURE_MS;
  if (now - at > maxAge) {
    throw new WebhookVerificationError(
      "stale_timestamp",
      `the timestamp is ${Math.round((now - at) / 1000)}s old, more than the ${Math.round(maxAge / 1000)}s allowed`,
    );
  }
  if (at - now > maxFuture) {
    throw new WebhookVerificationError(
      "future_timestamp",
      `the timestamp is ${Math.round((at - now) / 1000)}s in the future, more than the ${Math.round(maxFuture / 1000)}s allowed`,
    );
  }
}

/** ISO string, or epoch seconds/milliseconds (number or digit string). */
function timestampMs(value: unknown): number | undefined {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    // Below 1e11 it can only be seconds (1e11 ms is 1973, 1e11 s is year 5138).
    return value < 1e11 ? value * 1000 : value;
  }
  if (typeof value === "string") {
    const text = value.trim();
    if (/^\d+(\.\d+)?$/.test(text)) return timestampMs(Number(text));
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

function decodeSignature(text: string): Buffer {
  const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, "base64") : undefined;
  if (!bytes || bytes.length !== SIGNATURE_BYTES) {
    throw new WebhookVerificationError(
      "bad_signature",
      `${WEBHOOK_SIGNATURE_HEADER} is not a base64 Ed25519 signature`,
    );
  }
  return bytes;
}

function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  for (const [key, value] of Object.entries(
    headers as Record<string, string | readonly string[] | undefined>,
  )) {
    if (key.toLowerCase() !== name) continue;
    if (typeof value === "string") return value;
    // One header sent twice is ambiguous: join so it fails as a malformed signature.
    if (Array.isArray(value)) return value.length === 1 ? value[0] : value.join(",");
  }
  return undefined;
}

const NAME_BY_TYPE = new Map<string, WebhookEventName>(
  WEBHOOK_EVENT_TYPES.flatMap((name) =>
    WEBHOOK_EVENT_TYPE_VALUES[name].map((value) => [value, name] as const),
  ),
);

/** The documented event name of a payload from its `type` (e.g. "INSTALL" is AppInstall). */
export function webhookEventName(event: { type?: unknown }): WebhookEventName | undefined {
  return typeof event.type === "string" ? NAME_BY_TYPE.get(event.type) : undefined;
}

/** Narrow an event to one documented event type. */
export function isWebhookEvent<N extends WebhookEventName>(
  event: HighLevelWebhookEvent,
  name: N,
): event is HighLevelWebhookEventMap[N] {
  return webhookEventName(event) === name;
}

export interface WebhookDeduperOptions {
  /** How many webhookIds to remember (default 10,000); the least recently seen are forgotten first. */
  maxSize?: number;
}

/**
 * Remembers recent `webhookId`s to spot repeated deliveries and replays. In memory and per process:
 * a deployment with several receivers needs a shared store instead. HighLevel retries a delivery only
 * after a 429, with the same webhookId: `forget()` the id when answering 429 so the retry is accepted.
 */
export class WebhookDeduper {
  readonly maxSize: number;
  readonly #seen = new Map<string, true>();

  constructor(options: WebhookDeduperOptions = {}) {
    const maxSize = options.maxSize ?? 10_000;
    if (!Number.isInteger(maxSize) || maxSize < 1) throw new RangeError("maxSize must be a positive integer");
    this.maxSize = maxSize;
  }

  /** Record the id; true when it was seen before. An event without webhookId cannot be deduplicated (false). */
  isDuplicate(webhookId: string | undefined): boolean {
    if (webhookId === undefined || webhookId === "") return false;
    const seen = this.#seen.delete(webhookId);
    this.#seen.set(webhookId, true); // (re)insert as most recent
    if (!seen && this.#seen.size > this.maxSize) this.#seen.delete(this.#seen.keys().next().value!);
    return seen;
  }

  has(webhookId: string): boolean {
    return this.#seen.has(webhookId);
  }

  forget(webhookId: string): boolean {
    return this.#seen.delete(webhookId);
  }

  clear(): void {
    this.#seen.clear();
  }

  get size(): number {
    return this.#seen.size;
  }
}
