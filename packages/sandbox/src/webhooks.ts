// Outgoing webhooks: flat JSON events signed like HighLevel's (`x-ghl-signature`, Ed25519
// over the raw body, base64). Delivery never blocks the API response. Like HighLevel, a
// delivery is repeated only when the receiver answers 429; any other failure loses it.
import { createPrivateKey, createPublicKey, type KeyObject, randomUUID, sign } from "node:crypto";

export interface WebhookOptions {
  url?: string;
  /** Redeliveries after a 429 (HighLevel: 6). */
  retries?: number;
  /** Pause before a redelivery (HighLevel: about 10 minutes; here short so tests stay fast). */
  retryDelayMs?: number;
  /** The marketplace app the events are sent for (appId, versionId in every payload). */
  app: () => { appId: string; versionId: string };
}

export interface DeliveryRecord {
  webhookId: string;
  type: string;
  attempts: number;
  /** Last HTTP status, or 0 when the receiver could not be reached. */
  status: number;
  delivered: boolean;
}

// PKCS#8 header for a raw 32-byte Ed25519 private key (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** A deterministic Ed25519 key from 32 seed bytes, so webhookPublicKey is stable for a sandbox seed. */
export function ed25519FromSeed(seed: Buffer): { privateKey: KeyObject; publicKeyPem: string } {
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const publicKeyPem = createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
  return { privateKey, publicKeyPem };
}

export class WebhookSender {
  readonly publicKeyPem: string;
  private readonly privateKey: KeyObject;
  private inFlight = new Set<Promise<void>>();
  private closed = false;
  readonly deliveries: DeliveryRecord[] = [];

  constructor(
    keySeed: Buffer,
    private readonly options: WebhookOptions,
    private readonly now: () => number,
  ) {
    const key = ed25519FromSeed(keySeed);
    this.privateKey = key.privateKey;
    this.publicKeyPem = key.publicKeyPem;
  }

  get enabled(): boolean {
    return Boolean(this.options.url) && !this.closed;
  }

  /** Queue one event; returns at once. `fields` are the entity's fields, flattened into the payload. */
  emit(type: string, locationId: string, fields: Record<string, unknown>): void {
    if (!this.enabled) return;
    const webhookId = randomUUID();
    const payload = {
      type,
      locationId,
      ...fields,
      appId: this.options.app().appId,
      versionId: this.options.app().versionId,
      webhookId,
      timestamp: new Date(this.now()).toISOString(),
    };
    const record: DeliveryRecord = { webhookId, type, attempts: 0, status: 0, delivered: false };
    this.deliveries.push(record);
    const p = this.deliver(JSON.stringify(payload), record).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async deliver(body: string, record: DeliveryRecord): Promise<void> {
    const signature = sign(null, Buffer.from(body), this.privateKey).toString("base64");
    const retries = this.options.retries ?? 6;
    for (let attempt = 0; attempt <= retries && !this.closed; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 50));
      record.attempts++;
      try {
        const res = await fetch(this.options.url!, {
          method: "POST",
          headers: { "content-type": "application/json", "x-ghl-signature": signature },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        record.status = res.status;
        if (res.status !== 429) {
          record.delivered = res.ok;
          return;
        }
      } catch {
        record.status = 0;
        return; // unreachable receiver: HighLevel does not retry this either
      }
    }
  }

  /** Resolves when every queued delivery has finished (tests use it instead of sleeping). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }
}
