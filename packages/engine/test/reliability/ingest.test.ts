// Ingest under load: deliveries that arrive together are committed together (group commit), each
// acknowledged only once it is on disk, and when more wait than the disk keeps up with, new ones are
// refused at once (IngestBusyError, a 429 for HighLevel to redeliver) rather than left waiting.
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Engine, type EngineOptions } from "../../src/engine.ts";
import type { Store, WebhookInput } from "../../src/store/types.ts";
import { IngestBusyError, WebhookIngest } from "../../src/webhooks/ingest.ts";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const opened: Array<{ engine: Engine; dir: string }> = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    await o.engine.stop().catch(() => {});
    rmSync(o.dir, { recursive: true, force: true });
  }
});

async function open(options: Partial<EngineOptions> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "hlconnect-ingest-"));
  const engine = await Engine.open({
    dataDir: dir,
    secret: "an-ingest-test-passphrase",
    webhookPublicKey: publicKey.export({ type: "spki", format: "pem" }) as string,
    ...options,
  });
  opened.push({ engine, dir });
  return engine;
}

function delivery(i: number) {
  const body = JSON.stringify({
    type: "ContactCreate",
    locationId: "loc-1",
    id: `c${i}`,
    webhookId: `wh-${i}`,
    timestamp: new Date().toISOString(),
  });
  return {
    raw: Buffer.from(body),
    headers: { "x-ghl-signature": sign(null, Buffer.from(body), privateKey).toString("base64") },
  };
}

const count = (engine: Engine) =>
  (
    (engine.store as unknown as { db: import("better-sqlite3").Database }).db
      .prepare("SELECT count(*) AS n FROM webhooks")
      .get() as { n: number }
  ).n;

describe("webhook ingest", () => {
  it("commits deliveries that arrive together in a few transactions, each stored once", async () => {
    const engine = await open();
    const single = vi.spyOn(engine.store, "insertWebhook");
    const grouped = vi.spyOn(engine.store as Required<typeof engine.store>, "insertWebhooks");
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const d = delivery(i);
        return engine.receiveHighLevelWebhook(d.raw, d.headers);
      }),
    );
    expect(results.every((r) => r.accepted && !r.duplicate)).toBe(true);
    expect(count(engine)).toBe(100);
    expect(single.mock.calls.length + grouped.mock.calls.length).toBeLessThan(10);
    // A redelivery of one of them is still recognised.
    const again = delivery(7);
    expect(await engine.receiveHighLevelWebhook(again.raw, again.headers)).toMatchObject({
      duplicate: true,
    });
  });

  it("refuses at once when too many wait for the disk, and acknowledges nothing before its commit", async () => {
    const engine = await open({ ingestMaxPending: 5 });
    let open_: () => void = () => {};
    const gate = new Promise<void>((r) => {
      open_ = r;
    });
    // The disk stalls: every insert waits for the gate. `atGate` counts the deliveries held there.
    let atGate = 0;
    let check = () => {};
    const store = engine.store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const name of ["insertWebhook", "insertWebhooks"]) {
      const original = store[name]!.bind(engine.store);
      store[name] = async (...args: unknown[]) => {
        atGate += Array.isArray(args[0]) ? args[0].length : 1;
        check();
        await gate;
        return original(...args);
      };
    }
    const settled: Array<"ok" | "busy" | "error"> = [];
    // Every delivery has either been answered or is waiting for the disk (held at the gate or queued
    // behind it): nothing more can change until the gate opens. Waited for, not timed.
    const total = 20;
    // Waiting = queued + the batch held at the disk (the ingest counts both).
    const waiting = () => engine.ingest.pending;
    const quiet = new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`after 30 s: ${settled.length} answered, ${waiting()} waiting`)),
        30_000,
      );
      check = () => {
        if (settled.length + waiting() < total || atGate === 0) return;
        clearTimeout(deadline);
        resolve();
      };
    });
    const answered = (s: "ok" | "busy" | "error") => {
      settled.push(s);
      check();
    };
    const all = Array.from({ length: total }, (_, i) => delivery(i)).map((d) =>
      engine.receiveHighLevelWebhook(d.raw, d.headers).then(
        () => answered("ok"),
        (e: unknown) => answered(e instanceof IngestBusyError ? "busy" : "error"),
      ),
    );
    await quiet;
    expect(settled.filter((s) => s === "ok")).toEqual([]); // none acknowledged before the commit
    expect(settled.filter((s) => s === "error")).toEqual([]);
    // At most 5 wait, counting the batch at the disk; every other delivery was refused.
    expect(atGate).toBeGreaterThan(0);
    expect(waiting()).toBeLessThanOrEqual(5);
    expect(settled.filter((s) => s === "busy").length).toBe(total - waiting());
    expect(settled.filter((s) => s === "busy").length).toBeGreaterThanOrEqual(15);
    open_();
    await Promise.all(all);
    expect(settled.filter((s) => s === "error")).toEqual([]);
    const ok = settled.filter((s) => s === "ok").length;
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(count(engine)).toBe(ok);
  });

  it("refuses at once while the oldest delivery has waited past the time budget, however few wait", async () => {
    let clock = 0;
    let release: () => void = () => {};
    let stalled = true;
    const stored: WebhookInput[] = [];
    const store = {
      async insertWebhook(input: WebhookInput) {
        if (stalled) await new Promise<void>((r) => (release = r));
        stored.push(input);
        return { inserted: true, id: `id-${stored.length}` };
      },
    } as unknown as Store;
    const ingest = new WebhookIngest(store, { maxPending: 1000, maxWaitMs: 500, now: () => clock });
    const input = (n: number): WebhookInput => ({
      source: "highlevel",
      webhookId: `w${n}`,
      payload: {},
      receivedAt: 0,
    });
    const first = ingest.insert(input(1));
    await new Promise((r) => setImmediate(r)); // the flush takes it to the (stalled) disk
    clock = 400;
    const second = ingest.insert(input(2)); // within the budget: queued
    expect(ingest.pending).toBe(2);
    clock = 501;
    expect(ingest.oldestWaitMs).toBe(501);
    await expect(ingest.insert(input(3))).rejects.toBeInstanceOf(IngestBusyError);
    stalled = false;
    release();
    await Promise.all([first, second]);
    expect(stored.map((w) => w.webhookId)).toEqual(["w1", "w2"]);
    // The disk caught up: nothing waits, so a new delivery is taken again.
    expect(ingest.pending).toBe(0);
    await expect(ingest.insert(input(4))).resolves.toMatchObject({ inserted: true });
  });
});
