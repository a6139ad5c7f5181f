// The Store contract: every adapter (SQLite now, Postgres next) runs this suite. The factory gets a fake
// clock and the secret to use; it must return a fresh, empty store honouring both. With `reopen`, tests
// that need a second process's view (locks, persistence) open another instance over the same data.

import type { TokenSet } from "@hlconnect/client";
import { afterEach, describe, expect, it } from "vitest";
import { ConflictError, InvalidInputError, NotFoundError } from "../../src/store/errors.ts";
import type { Store } from "../../src/store/types.ts";

export interface StoreContractEnv {
  now: () => number;
  secret: string;
}

export interface StoreContractOptions {
  /** Another instance over the same data as `store`, as a second process would open it. */
  reopen?: (store: Store, env: StoreContractEnv) => Promise<Store>;
}

const SECRET = "contract-test-passphrase";
const T0 = 1_750_000_000_000;

/** Lets every other pending callback run, so an unserialised critical section would interleave. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

function tokens(accessToken: string, extra: Partial<TokenSet> = {}): TokenSet {
  return {
    accessToken,
    refreshToken: `r-${accessToken}`,
    expiresAt: T0 + 3_600_000,
    userType: "Location",
    ...extra,
  };
}

export function storeContract(
  name: string,
  makeStore: (env: StoreContractEnv) => Promise<Store>,
  options: StoreContractOptions = {},
): void {
  describe(`Store contract: ${name}`, () => {
    let opened: Store[] = [];
    let clock = T0;
    const env: StoreContractEnv = { now: () => clock, secret: SECRET };

    async function fresh(): Promise<Store> {
      clock = T0;
      const store = await makeStore(env);
      opened.push(store);
      return store;
    }

    async function sibling(store: Store): Promise<Store> {
      const other = await options.reopen!(store, env);
      opened.push(other);
      return other;
    }

    afterEach(async () => {
      for (const store of opened.reverse()) await store.close();
      opened = [];
    });

    async function flow(store: Store, id = "flow-a") {
      return store.saveFlow({ id, name: `Flow ${id}`, source: "trigger: x\n" });
    }

    describe("flows", () => {
      it("creates a flow with defaults and reads it back", async () => {
        const store = await fresh();
        const created = await store.saveFlow({
          name: "Welcome call",
          source: "name: Welcome call\n",
          filePath: "flows/welcome.yaml",
          triggerKey: "contact.created",
          connectionIds: ["con-1"],
        });
        expect(created).toMatchObject({
          name: "Welcome call",
          enabled: true,
          status: "active",
          filePath: "flows/welcome.yaml",
          triggerKey: "contact.created",
          connectionIds: ["con-1"],
          createdAt: T0,
          updatedAt: T0,
        });
        expect(created.statusReason).toBeUndefined();
        expect(await store.getFlow(created.id)).toEqual(created);
        expect(await store.getFlow("nope")).toBeUndefined();
      });

      it("makes ids that sort in creation order", async () => {
        const store = await fresh();
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push((await store.saveFlow({ name: `f${i}`, source: "" })).id);
        expect([...ids].sort()).toEqual(ids);
        expect(new Set(ids).size).toBe(5);
        expect((await store.listFlows()).map((f) => f.id)).toEqual(ids);
      });

      it("updates a flow in place, keeping its status, createdAt and enabled switch", async () => {
        const store = await fresh();
        await store.saveFlow({ id: "f", name: "One", source: "a", enabled: false });
        await store.setFlowStatus("f", "paused", "connection needs reconnecting");
        clock += 1000;
        const updated = await store.saveFlow({ id: "f", name: "Two", source: "b" });
        expect(updated).toMatchObject({
          id: "f",
          name: "Two",
          source: "b",
          enabled: false,
          status: "paused",
          statusReason: "connection needs reconnecting",
          createdAt: T0,
          updatedAt: T0 + 1000,
        });
        expect(await store.listFlows()).toHaveLength(1);
      });

      it("switches flows on and off and sets their status; active clears the reason", async () => {
        const store = await fresh();
        await flow(store);
        expect((await store.setFlowEnabled("flow-a", false)).enabled).toBe(false);
        expect(await store.setFlowStatus("flow-a", "error", "bad file")).toMatchObject({
          status: "error",
          statusReason: "bad file",
        });
        const active = await store.setFlowStatus("flow-a", "active", "ignored");
        expect(active.status).toBe("active");
        expect(active.statusReason).toBeUndefined();
      });

      it("enables a flow in dry-run mode; its new runs are dry runs until it is enabled for real", async () => {
        const store = await fresh();
        await flow(store);
        expect((await store.getFlow("flow-a"))?.dryRun).toBeUndefined();
        const dry = await store.setFlowEnabled("flow-a", true, { dryRun: true });
        expect(dry).toMatchObject({ enabled: true, dryRun: true });
        const first = await store.createRun({ flowId: "flow-a", trigger: {} });
        expect(first.run.dryRun).toBe(true);
        // A run asked for explicitly as real (or dry) is that, whatever the flow's mode.
        expect(
          (await store.createRun({ flowId: "flow-a", trigger: {}, dryRun: false })).run.dryRun,
        ).toBeUndefined();
        expect((await store.setFlowEnabled("flow-a", true)).dryRun).toBeUndefined();
        expect((await store.createRun({ flowId: "flow-a", trigger: {} })).run.dryRun).toBeUndefined();
        expect((await store.createRun({ flowId: "flow-a", trigger: {}, dryRun: true })).run.dryRun).toBe(
          true,
        );
        expect((await store.getRun(first.run.id))?.dryRun).toBe(true);
      });

      it("filters flows by enabled, status, connection and trigger", async () => {
        const store = await fresh();
        await store.saveFlow({
          id: "a",
          name: "a",
          source: "",
          triggerKey: "t1",
          connectionIds: ["c1", "c2"],
        });
        await store.saveFlow({
          id: "b",
          name: "b",
          source: "",
          triggerKey: "t2",
          connectionIds: ["c2"],
          enabled: false,
        });
        await store.saveFlow({ id: "c", name: "c", source: "", triggerKey: "t1" });
        await store.setFlowStatus("c", "paused", "why");
        const ids = async (filter: Parameters<Store["listFlows"]>[0]) =>
          (await store.listFlows(filter)).map((f) => f.id);
        expect(await ids({ enabled: true })).toEqual(["a", "c"]);
        expect(await ids({ status: "paused" })).toEqual(["c"]);
        expect(await ids({ connectionId: "c2" })).toEqual(["a", "b"]);
        expect(await ids({ connectionId: "c1" })).toEqual(["a"]);
        expect(await ids({ triggerKey: "t1", enabled: true })).toEqual(["a", "c"]);
      });

      it("rejects bad input and unknown flows with errors that say what and which", async () => {
        const store = await fresh();
        await expect(store.saveFlow({ name: "", source: "" })).rejects.toThrow(
          /name must be a non-empty string/,
        );
        await expect(
          store.saveFlow({ name: "x", source: "", connectionIds: ["ok", 3 as never] }),
        ).rejects.toThrow(/connectionIds\[1\]/);
        await expect(store.setFlowStatus("missing", "paused")).rejects.toThrow(NotFoundError);
        await expect(store.setFlowStatus("missing", "paused")).rejects.toThrow(
          /flow "missing" does not exist/,
        );
        await flow(store);
        const bad = store.setFlowStatus("flow-a", "sleeping" as never);
        await expect(bad).rejects.toThrow(InvalidInputError);
        await expect(store.setFlowStatus("flow-a", "sleeping" as never)).rejects.toThrow(
          /must be one of active, paused, error; got "sleeping"/,
        );
      });

      it("deletes a flow with its trigger state and runs", async () => {
        const store = await fresh();
        await flow(store);
        const [run] = await store.recordTriggerEvents("flow-a", { after: 1 }, [
          { eventKey: "e1", payload: {} },
        ]);
        expect(await store.deleteFlow("flow-a")).toBe(true);
        expect(await store.deleteFlow("flow-a")).toBe(false);
        expect(await store.getRun(run!.id)).toBeUndefined();
        expect(await store.getTriggerState("flow-a")).toBeUndefined();
      });

      it("keeps a flow's hook secret and removes it on request", async () => {
        const store = await fresh();
        await flow(store);
        expect(await store.getFlowHookSecret("flow-a")).toBeUndefined();
        await store.setFlowHookSecret("flow-a", "hook-s3cret");
        expect(await store.getFlowHookSecret("flow-a")).toBe("hook-s3cret");
        await store.saveFlow({ id: "flow-a", name: "renamed", source: "" });
        expect(await store.getFlowHookSecret("flow-a")).toBe("hook-s3cret");
        await store.setFlowHookSecret("flow-a", undefined);
        expect(await store.getFlowHookSecret("flow-a")).toBeUndefined();
        await expect(store.setFlowHookSecret("missing", "x")).rejects.toThrow(NotFoundError);
      });
    });

    describe("connections", () => {
      it("saves, lists by location and updates connections", async () => {
        const store = await fresh();
        const a = await store.saveConnection({
          id: "con-a",
          label: "Main",
          kind: "oauth",
          locationIds: ["loc1", "loc2"],
          companyId: "co1",
          scopes: ["contacts.write"],
          clientId: "app-1",
        });
        expect(a).toMatchObject({
          id: "con-a",
          kind: "oauth",
          locationIds: ["loc1", "loc2"],
          status: "ok",
          hasTokens: false,
          createdAt: T0,
        });
        await store.saveConnection({ id: "con-b", label: "Other", kind: "pit", locationIds: ["loc3"] });
        expect((await store.listConnections({ locationId: "loc2" })).map((c) => c.id)).toEqual(["con-a"]);
        expect((await store.listConnections({ kind: "pit" })).map((c) => c.id)).toEqual(["con-b"]);
        expect(await store.listConnections()).toHaveLength(2);
        clock += 5;
        const renamed = await store.saveConnection({
          id: "con-a",
          label: "Renamed",
          kind: "oauth",
          locationIds: ["loc1"],
        });
        expect(renamed).toMatchObject({
          label: "Renamed",
          locationIds: ["loc1"],
          createdAt: T0,
          updatedAt: T0 + 5,
        });
      });

      it("marks a connection as needing reconnection, with a reason, and back", async () => {
        const store = await fresh();
        await store.saveConnection({ id: "c", label: "c", kind: "oauth" });
        const broken = await store.setConnectionStatus("c", "needs_reconnect", "refresh token rejected");
        expect(broken).toMatchObject({ status: "needs_reconnect", statusReason: "refresh token rejected" });
        expect((await store.listConnections({ status: "needs_reconnect" })).map((c) => c.id)).toEqual(["c"]);
        const ok = await store.setConnectionStatus("c", "ok");
        expect(ok.statusReason).toBeUndefined();
        await expect(store.setConnectionStatus("zzz", "ok")).rejects.toThrow(
          /connection "zzz" does not exist/,
        );
      });

      it("records connection tests apart from the reconnect status", async () => {
        const store = await fresh();
        const saved = await store.saveConnection({ id: "c", label: "c", kind: "pit" });
        expect(saved.lastTest).toBeUndefined();
        const failed = await store.recordConnectionTest("c", { ok: false, reason: "401 token rejected" });
        expect(failed.lastTest).toMatchObject({ ok: false, reason: "401 token rejected" });
        expect(typeof failed.lastTest?.at).toBe("number");
        // A failed test is not a broken refresh: status stays ok, so no flow is paused for it.
        expect(failed.status).toBe("ok");
        expect((await store.getConnection("c"))?.lastTest).toEqual(failed.lastTest);
        const passed = await store.recordConnectionTest("c", { ok: true, reason: "ignored" });
        expect(passed.lastTest?.ok).toBe(true);
        expect(passed.lastTest?.reason).toBeUndefined();
        // Saving the connection again keeps the last outcome.
        expect((await store.saveConnection({ id: "c", label: "renamed", kind: "pit" })).lastTest?.ok).toBe(
          true,
        );
        await expect(store.recordConnectionTest("zzz", { ok: true })).rejects.toThrow(
          /connection "zzz" does not exist/,
        );
      });

      it("rejects an unknown kind with a clear message", async () => {
        const store = await fresh();
        await expect(store.saveConnection({ label: "x", kind: "basic" as never })).rejects.toThrow(
          /kind must be one of pit, oauth, agency; got "basic"/,
        );
      });

      it("stores connection secrets apart from the record", async () => {
        const store = await fresh();
        await store.saveConnection({ id: "c", label: "c", kind: "pit" });
        expect(await store.getConnectionSecrets("c")).toEqual({});
        await store.setConnectionSecrets("c", { privateToken: "pit-123", clientSecret: "cs-456" });
        expect(await store.getConnectionSecrets("c")).toEqual({
          privateToken: "pit-123",
          clientSecret: "cs-456",
        });
        expect(JSON.stringify(await store.getConnection("c"))).not.toContain("pit-123");
        await store.saveConnection({ id: "c", label: "again", kind: "pit" });
        expect(await store.getConnectionSecrets("c")).toEqual({
          privateToken: "pit-123",
          clientSecret: "cs-456",
        });
        await expect(store.getConnectionSecrets("nope")).rejects.toThrow(NotFoundError);
        await expect(store.setConnectionSecrets("nope", {})).rejects.toThrow(NotFoundError);
      });

      it("deletes a connection with its secrets", async () => {
        const store = await fresh();
        await store.saveConnection({ id: "c", label: "c", kind: "pit" });
        await store.setConnectionSecrets("c", { privateToken: "p" });
        expect(await store.deleteConnection("c")).toBe(true);
        expect(await store.getConnection("c")).toBeUndefined();
        expect(await store.deleteConnection("c")).toBe(false);
        expect(await store.tokenStore().load("c")).toBeUndefined();
      });
    });

    describe("token store", () => {
      it("saves and loads a connection's token pair, as copies", async () => {
        const store = await fresh();
        await store.saveConnection({ id: "c", label: "c", kind: "oauth" });
        const ts = store.tokenStore();
        expect(await ts.load("c")).toBeUndefined();
        const pair = tokens("acc-1", { scopes: ["a", "b"], companyId: "co", locationId: "loc" });
        await ts.save("c", pair);
        const loaded = await ts.load("c");
        expect(loaded).toEqual(pair);
        loaded!.scopes!.push("mutated");
        expect((await ts.load("c"))!.scopes).toEqual(["a", "b"]);
        expect((await store.getConnection("c"))!.hasTokens).toBe(true);
        await ts.save("c", tokens("acc-2"));
        expect((await ts.load("c"))!.accessToken).toBe("acc-2");
      });

      it("refuses tokens for an unknown connection and malformed token sets", async () => {
        const store = await fresh();
        const ts = store.tokenStore();
        await expect(ts.save("ghost", tokens("a"))).rejects.toThrow(/connection "ghost" does not exist/);
        await store.saveConnection({ id: "c", label: "c", kind: "oauth" });
        await expect(ts.save("c", { ...tokens("a"), expiresAt: Number.NaN })).rejects.toThrow(/expiresAt/);
        await expect(ts.save("c", { ...tokens("a"), accessToken: "" })).rejects.toThrow(/accessToken/);
        await expect(ts.save("c", { ...tokens("a"), userType: "Agency" as never })).rejects.toThrow(
          /userType/,
        );
      });

      it("withLock serialises callers: read-modify-write loses no update", async () => {
        const store = await fresh();
        await store.saveConnection({ id: "c", label: "c", kind: "oauth" });
        const ts = store.tokenStore();
        await ts.save("c", tokens("0"));
        const bump = () =>
          ts.withLock("c", async () => {
            const current = await ts.load("c");
            await yieldToOthers();
            await ts.save("c", tokens(String(Number(current!.accessToken) + 1)));
          });
        await Promise.all(Array.from({ length: 8 }, bump));
        expect((await ts.load("c"))!.accessToken).toBe("8");
      });

      it("withLock is re-entrant, returns fn's value and is released when fn throws", async () => {
        const store = await fresh();
        expect(await store.withLock("x", () => store.withLock("x", async () => 42))).toBe(42);
        await expect(
          store.withLock("x", async () => {
            throw new Error("boom");
          }),
        ).rejects.toThrow("boom");
        expect(await store.withLock("x", async () => "free again")).toBe("free again");
      });

      it("locks with different names do not block each other", async () => {
        const store = await fresh();
        const order: string[] = [];
        await store.withLock("a", async () => {
          order.push("a in");
          await store.withLock("b", async () => order.push("b"));
          order.push("a out");
        });
        expect(order).toEqual(["a in", "b", "a out"]);
      });

      it.runIf(options.reopen)("withLock serialises two instances (two processes)", async () => {
        const one = await fresh();
        const two = await sibling(one);
        await one.saveConnection({ id: "c", label: "c", kind: "oauth" });
        await one.tokenStore().save("c", tokens("0"));
        const bump = (store: Store) => {
          const ts = store.tokenStore();
          return ts.withLock("c", async () => {
            const current = await ts.load("c");
            await yieldToOthers();
            await yieldToOthers();
            await ts.save("c", tokens(String(Number(current!.accessToken) + 1)));
          });
        };
        await Promise.all(Array.from({ length: 6 }, (_, i) => bump(i % 2 ? one : two)));
        expect((await one.tokenStore().load("c"))!.accessToken).toBe("6");
      });

      it.runIf(options.reopen)("the other instance waits until the holder releases", async () => {
        const one = await fresh();
        const two = await sibling(one);
        const events: string[] = [];
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        let entered!: () => void;
        const holding = new Promise<void>((resolve) => {
          entered = resolve;
        });
        const first = one.withLock("connection:c", async () => {
          events.push("one in");
          entered();
          await gate;
          events.push("one out");
        });
        await holding;
        const second = two.withLock("connection:c", async () => {
          events.push("two in");
        });
        // Give the waiter many chances to (wrongly) get in while the lock is held.
        for (let i = 0; i < 20; i++) await yieldToOthers();
        expect(events).toEqual(["one in"]);
        release();
        await Promise.all([first, second]);
        expect(events).toEqual(["one in", "one out", "two in"]);
      });

      it.runIf(options.reopen)("a lock whose holder died is taken over once its lease ran out", async () => {
        const one = await fresh();
        const two = await sibling(one);
        let entered!: () => void;
        const holding = new Promise<void>((resolve) => {
          entered = resolve;
        });
        // The holder never finishes, then its process goes away.
        void one.withLock("connection:c", async () => {
          entered();
          await new Promise(() => {});
        });
        await holding;
        await one.close();
        clock += 10 * 60_000;
        expect(await two.withLock("connection:c", async () => "taken over")).toBe("taken over");
      });
    });

    describe("trigger state", () => {
      it("records events as queued runs and advances the cursor in one step", async () => {
        const store = await fresh();
        await flow(store);
        expect(await store.getTriggerState("flow-a")).toBeUndefined();
        await store.setTriggerCursor("flow-a", { since: 0 });
        expect(await store.getTriggerState("flow-a")).toEqual({
          flowId: "flow-a",
          cursor: { since: 0 },
          updatedAt: T0,
        });
        clock += 60_000;
        const runs = await store.recordTriggerEvents("flow-a", { since: 200 }, [
          { eventKey: "contact:1", payload: { id: 1 } },
          { eventKey: "contact:2", payload: { id: 2 } },
        ]);
        expect(runs.map((r) => [r.eventKey, r.status, r.trigger, r.flowId, r.attempts])).toEqual([
          ["contact:1", "queued", { id: 1 }, "flow-a", 0],
          ["contact:2", "queued", { id: 2 }, "flow-a", 0],
        ]);
        expect(await store.getTriggerState("flow-a")).toEqual({
          flowId: "flow-a",
          cursor: { since: 200 },
          updatedAt: T0 + 60_000,
        });
      });

      it("re-recording the same events (re-poll, or a retry after a crash) creates no second run", async () => {
        const store = await fresh();
        await flow(store);
        const events = [
          { eventKey: "e1", payload: { n: 1 } },
          { eventKey: "e2", payload: { n: 2 } },
        ];
        expect(await store.recordTriggerEvents("flow-a", { c: 1 }, events)).toHaveLength(2);
        expect(await store.recordTriggerEvents("flow-a", { c: 1 }, events)).toEqual([]);
        const overlapping = await store.recordTriggerEvents("flow-a", { c: 2 }, [
          events[1]!,
          { eventKey: "e3", payload: { n: 3 } },
        ]);
        expect(overlapping.map((r) => r.eventKey)).toEqual(["e3"]);
        expect((await store.getTriggerState("flow-a"))!.cursor).toEqual({ c: 2 });
        expect((await store.listRuns({ flowId: "flow-a" })).runs).toHaveLength(3);
      });

      it("ignores a duplicate inside one batch, and the same key on another flow is another event", async () => {
        const store = await fresh();
        await flow(store, "f1");
        await flow(store, "f2");
        const dup = [
          { eventKey: "k", payload: 1 },
          { eventKey: "k", payload: 2 },
        ];
        expect(await store.recordTriggerEvents("f1", null, dup)).toHaveLength(1);
        expect(await store.recordTriggerEvents("f2", null, dup)).toHaveLength(1);
      });

      it("is all or nothing: a bad event leaves cursor and runs untouched", async () => {
        const store = await fresh();
        await flow(store);
        await store.setTriggerCursor("flow-a", "before");
        const bad = [
          { eventKey: "ok", payload: { fine: true } },
          { eventKey: "", payload: {} },
        ];
        await expect(store.recordTriggerEvents("flow-a", "after", bad)).rejects.toThrow(/event 1: eventKey/);
        const unserialisable = [
          { eventKey: "ok", payload: {} },
          { eventKey: "big", payload: { n: 1n } },
        ];
        await expect(store.recordTriggerEvents("flow-a", "after", unserialisable)).rejects.toThrow(/JSON/);
        expect((await store.getTriggerState("flow-a"))!.cursor).toBe("before");
        expect((await store.listRuns()).runs).toEqual([]);
      });

      it("refuses events of an unknown flow", async () => {
        const store = await fresh();
        await expect(store.recordTriggerEvents("ghost", 1, [{ eventKey: "e", payload: {} }])).rejects.toThrow(
          /flow "ghost" does not exist/,
        );
      });
    });

    describe("webhook inbox", () => {
      const hook = (webhookId: string, extra: object = {}) => ({
        source: "highlevel",
        webhookId,
        locationId: "loc1",
        payload: { type: "ContactCreate", id: webhookId },
        receivedAt: clock,
        ...extra,
      });

      it("stores a webhook once; a redelivery is recognised", async () => {
        const store = await fresh();
        const first = await store.insertWebhook(hook("w1"));
        expect(first.inserted).toBe(true);
        const again = await store.insertWebhook({ ...hook("w1"), payload: { changed: true } });
        expect(again).toEqual({ inserted: false, id: first.id });
        expect(await store.getWebhook(first.id)).toMatchObject({
          source: "highlevel",
          webhookId: "w1",
          locationId: "loc1",
          status: "pending",
          attempts: 0,
          payload: { type: "ContactCreate", id: "w1" },
        });
        expect((await store.insertWebhook({ ...hook("w1"), source: "hook" })).inserted).toBe(true);
      });

      it("stores a batch in one transaction (when the adapter groups commits), duplicates recognised", async () => {
        const store = await fresh();
        // Optional in the port: without it, ingest inserts one by one, which the test above covers.
        if (!store.insertWebhooks) return expect(store.insertWebhook).toBeTypeOf("function");
        const first = await store.insertWebhook(hook("w1"));
        const results = await store.insertWebhooks([hook("w1"), hook("w2"), hook("w2"), hook("w3")]);
        expect(results.map((r) => r.inserted)).toEqual([false, true, false, true]);
        expect(results[0]!.id).toBe(first.id);
        expect(results[2]!.id).toBe(results[1]!.id);
        expect(await store.getWebhook(results[3]!.id)).toMatchObject({ webhookId: "w3", status: "pending" });
        await expect(store.insertWebhooks([hook("w9"), hook("")])).rejects.toThrow(/webhookId/);
        const claimed = await store.claimWebhooks("c", { limit: 10 });
        expect(claimed.map((w) => w.webhookId).sort()).toEqual(["w1", "w2", "w3"]);
      });

      it("hands each webhook to one claimer, oldest first, until its lease runs out", async () => {
        const store = await fresh();
        await store.insertWebhook(hook("w1"));
        clock += 1;
        await store.insertWebhook(hook("w2"));
        clock += 1;
        await store.insertWebhook(hook("w3"));
        const batch = await store.claimWebhooks("router-1", { limit: 2, leaseMs: 1000 });
        expect(batch.map((w) => [w.webhookId, w.status, w.claimedBy, w.attempts])).toEqual([
          ["w1", "claimed", "router-1", 1],
          ["w2", "claimed", "router-1", 1],
        ]);
        expect((await store.claimWebhooks("router-2", { leaseMs: 1000 })).map((w) => w.webhookId)).toEqual([
          "w3",
        ]);
        expect(await store.claimWebhooks("router-2")).toEqual([]);
        clock += 1001;
        const reclaimed = await store.claimWebhooks("router-2", { leaseMs: 1000 });
        expect(reclaimed.map((w) => [w.webhookId, w.attempts])).toEqual([
          ["w1", 2],
          ["w2", 2],
          ["w3", 2],
        ]);
      });

      it("routes a webhook to runs in one step; routing again after a crash repeats nothing", async () => {
        const store = await fresh();
        await flow(store, "f1");
        await flow(store, "f2");
        const { id } = await store.insertWebhook(hook("w1"));
        const [claimed] = await store.claimWebhooks("router");
        const runsFor = (flowId: string) => ({ flowId, trigger: claimed!.payload, eventKey: "highlevel:w1" });
        const runs = await store.routeWebhook(id, [runsFor("f1"), runsFor("f2")], "2 flows");
        expect(runs.map((r) => [r.flowId, r.status, r.eventKey])).toEqual([
          ["f1", "queued", "highlevel:w1"],
          ["f2", "queued", "highlevel:w1"],
        ]);
        expect(await store.getWebhook(id)).toMatchObject({ status: "routed", routedAt: T0, note: "2 flows" });
        expect(await store.routeWebhook(id, [runsFor("f1"), runsFor("f2")])).toEqual([]);
        expect((await store.listRuns()).runs).toHaveLength(2);
        expect(await store.claimWebhooks("router")).toEqual([]);
      });

      it("marks a webhook no flow wants as ignored", async () => {
        const store = await fresh();
        const { id } = await store.insertWebhook(hook("w1"));
        expect(await store.routeWebhook(id, [], "no flow for location loc1")).toEqual([]);
        expect(await store.getWebhook(id)).toMatchObject({
          status: "ignored",
          note: "no flow for location loc1",
        });
      });

      it("rejects a webhook without an id or with a bad time", async () => {
        const store = await fresh();
        await expect(store.insertWebhook(hook(""))).rejects.toThrow(/webhookId must be a non-empty string/);
        await expect(store.insertWebhook(hook("w", { receivedAt: "yesterday" }))).rejects.toThrow(
          /receivedAt/,
        );
        await expect(store.routeWebhook("nope", [])).rejects.toThrow(NotFoundError);
      });
    });

    describe("runs and steps", () => {
      it("creates runs, deduplicated by event key; replays carry their origin", async () => {
        const store = await fresh();
        await flow(store);
        const a = await store.createRun({ flowId: "flow-a", trigger: { x: 1 }, eventKey: "manual:1" });
        expect(a.created).toBe(true);
        expect(a.run).toMatchObject({
          flowId: "flow-a",
          status: "queued",
          trigger: { x: 1 },
          attempts: 0,
          createdAt: T0,
        });
        const b = await store.createRun({ flowId: "flow-a", trigger: { x: 2 }, eventKey: "manual:1" });
        expect(b).toEqual({ created: false, run: a.run });
        const replay = await store.createRun({
          flowId: "flow-a",
          trigger: a.run.trigger,
          replayOf: a.run.id,
        });
        expect(replay.created).toBe(true);
        expect(replay.run.replayOf).toBe(a.run.id);
        expect(replay.run.eventKey).toBeUndefined();
        await expect(store.createRun({ flowId: "ghost", trigger: {} })).rejects.toThrow(
          /flow "ghost" does not exist/,
        );
      });

      it("keeps null and nested trigger payloads as they were", async () => {
        const store = await fresh();
        await flow(store);
        const payload = { a: [1, "two", { three: null }], s: "é ✓", n: 1.5 };
        const { run } = await store.createRun({ flowId: "flow-a", trigger: payload });
        expect((await store.getRun(run.id))!.trigger).toEqual(payload);
        const nothing = await store.createRun({ flowId: "flow-a", trigger: null });
        expect(nothing.run.trigger).toBeNull();
      });

      it("moves a run through its statuses and refuses moves that make no sense", async () => {
        const store = await fresh();
        await flow(store);
        const { run } = await store.createRun({ flowId: "flow-a", trigger: {} });
        clock += 10;
        const started = await store.startRun(run.id);
        expect(started).toMatchObject({ status: "running", attempts: 1, startedAt: T0 + 10 });
        clock += 10;
        // A resumed run (its process died) starts again: attempts count, first start kept.
        expect(await store.startRun(run.id)).toMatchObject({ attempts: 2, startedAt: T0 + 10 });
        clock += 10;
        const failed = await store.finishRun(run.id, "failed", {
          message: "HTTP 500",
          code: "HTTP_ERROR",
          stepId: "s1",
        });
        expect(failed).toMatchObject({
          status: "failed",
          finishedAt: T0 + 30,
          error: { message: "HTTP 500", code: "HTTP_ERROR", stepId: "s1" },
        });
        await expect(store.finishRun(run.id, "succeeded")).rejects.toThrow(ConflictError);
        await expect(store.startRun(run.id)).rejects.toThrow(
          /run "run_\w+" is failed: only a queued or running run/,
        );
        const requeued = await store.requeueRun(run.id);
        expect(requeued.status).toBe("queued");
        expect(requeued.finishedAt).toBeUndefined();
        expect(requeued.error?.message).toBe("HTTP 500");
        await store.startRun(run.id);
        const done = await store.finishRun(run.id, "succeeded");
        expect(done.status).toBe("succeeded");
        expect(done.error).toBeUndefined();
        await expect(store.finishRun(run.id, "running" as never)).rejects.toThrow(InvalidInputError);
        await expect(store.startRun("run_missing")).rejects.toThrow(NotFoundError);
      });

      it("records steps; a finished step can never be started again", async () => {
        const store = await fresh();
        await flow(store);
        const { run } = await store.createRun({ flowId: "flow-a", trigger: {} });
        await store.startRun(run.id);
        const s1 = await store.startStep(run.id, "find_contact", { email: "a@b.c" });
        expect(s1).toMatchObject({
          status: "running",
          attempts: 1,
          input: { email: "a@b.c" },
          startedAt: T0,
        });
        clock += 5;
        const done = await store.finishStep(run.id, "find_contact", {
          status: "succeeded",
          output: { id: "c1" },
        });
        expect(done).toMatchObject({
          status: "succeeded",
          output: { id: "c1" },
          finishedAt: T0 + 5,
          attempts: 1,
        });
        await expect(store.startStep(run.id, "find_contact", {})).rejects.toThrow(/already succeeded/);
        await expect(store.finishStep(run.id, "find_contact", { status: "failed" })).rejects.toThrow(
          ConflictError,
        );

        await store.startStep(run.id, "create_task", { title: "Call" });
        await store.finishStep(run.id, "create_task", { status: "failed", error: { message: "HTTP 502" } });
        const retried = await store.startStep(run.id, "create_task", { title: "Call" });
        expect(retried).toMatchObject({ status: "running", attempts: 2 });
        expect(retried.error).toBeUndefined();
        const unknown = await store.finishStep(run.id, "create_task", {
          status: "unknown_outcome",
          error: { message: "timed out after the request was sent" },
        });
        expect(unknown.status).toBe("unknown_outcome");

        await store.finishStep(run.id, "notify", { status: "skipped" });
        expect(await store.getStep(run.id, "notify")).toMatchObject({ status: "skipped", attempts: 0 });
        expect((await store.listSteps(run.id)).map((s) => [s.stepId, s.status])).toEqual([
          ["find_contact", "succeeded"],
          ["create_task", "unknown_outcome"],
          ["notify", "skipped"],
        ]);
        expect(await store.getStep(run.id, "nope")).toBeUndefined();
      });

      it("keeps a step output of null and refuses bad step results", async () => {
        const store = await fresh();
        await flow(store);
        const { run } = await store.createRun({ flowId: "flow-a", trigger: {} });
        await store.startStep(run.id, "s", {});
        expect(await store.finishStep(run.id, "s", { status: "succeeded", output: null })).toHaveProperty(
          "output",
          null,
        );
        await expect(store.finishStep(run.id, "t", { status: "done" as never })).rejects.toThrow(
          /step "t": status must be one of succeeded, failed, unknown_outcome, skipped/,
        );
        await expect(
          store.finishStep(run.id, "t", { status: "failed", error: { message: "" } }),
        ).rejects.toThrow(/error: message/);
        await expect(store.startStep("run_missing", "s", {})).rejects.toThrow(NotFoundError);
      });

      it("lists runs newest first, filtered by flow, status and time, in pages", async () => {
        const store = await fresh();
        await flow(store, "f1");
        await flow(store, "f2");
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          clock = T0 + i * 1000;
          const { run } = await store.createRun({ flowId: i % 2 ? "f2" : "f1", trigger: { i } });
          ids.push(run.id);
        }
        await store.startRun(ids[0]!);
        await store.finishRun(ids[0]!, "failed");
        await store.finishRun(ids[2]!, "skipped");

        const all = await store.listRuns();
        expect(all.runs.map((r) => r.id)).toEqual([...ids].reverse());
        expect(all.nextCursor).toBeUndefined();
        expect((await store.listRuns({ flowId: "f2" })).runs.map((r) => r.trigger)).toEqual([
          { i: 5 },
          { i: 3 },
          { i: 1 },
        ]);
        expect((await store.listRuns({ status: ["failed", "skipped"] })).runs.map((r) => r.id)).toEqual([
          ids[2],
          ids[0],
        ]);
        expect((await store.listRuns({ since: T0 + 2000, until: T0 + 4000 })).runs.map((r) => r.id)).toEqual([
          ids[3],
          ids[2],
        ]);

        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listRuns({ limit: 3, ...(cursor ? { cursor } : {}) });
          expect(page.runs.length).toBeLessThanOrEqual(3);
          seen.push(...page.runs.map((r) => r.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen).toEqual([...ids].reverse());
        await expect(store.listRuns({ status: "done" as never })).rejects.toThrow(/run status filter/);
      });

      it("prunes finished history older than the cutoff, keeping what still needs someone", async () => {
        const store = await fresh();
        await flow(store);
        const make = async (status: "succeeded" | "failed" | "needs_attention" | "queued") => {
          const { run } = await store.createRun({ flowId: "flow-a", trigger: {} });
          await store.startStep(run.id, "s", {});
          if (status !== "queued") await store.finishRun(run.id, status);
          return run.id;
        };
        const oldOk = await make("succeeded");
        const oldFailed = await make("failed");
        const oldAttention = await make("needs_attention");
        const oldQueued = await make("queued");
        const routed = await store.insertWebhook({
          source: "s",
          webhookId: "w1",
          payload: {},
          receivedAt: clock,
        });
        await store.routeWebhook(routed.id, []);
        const pending = await store.insertWebhook({
          source: "s",
          webhookId: "w2",
          payload: {},
          receivedAt: clock,
        });
        await store.recordAlert({ key: "old", channel: "log", message: "m" });
        clock = T0 + 100_000;
        const recent = await make("succeeded");
        await store.recordAlert({ key: "new", channel: "log", message: "m" });

        expect(await store.pruneHistory(T0 + 50_000)).toEqual({ runs: 2, webhooks: 1, alerts: 1 });
        expect(await store.getRun(oldOk)).toBeUndefined();
        expect(await store.getRun(oldFailed)).toBeUndefined();
        expect(await store.listSteps(oldOk)).toEqual([]);
        for (const id of [oldAttention, oldQueued, recent]) expect(await store.getRun(id)).toBeDefined();
        expect(await store.getWebhook(routed.id)).toBeUndefined();
        expect(await store.getWebhook(pending.id)).toBeDefined();
        expect((await store.listAlerts()).map((a) => a.key)).toEqual(["new"]);
      });
    });

    describe("alerts", () => {
      it("records an alert once per key", async () => {
        const store = await fresh();
        const alert = {
          key: "run:r1:failed",
          channel: "webhook",
          message: "Run r1 failed",
          flowId: "f",
          runId: "r1",
        };
        expect(await store.recordAlert(alert)).toEqual({ inserted: true });
        expect(await store.recordAlert({ ...alert, message: "again" })).toEqual({ inserted: false });
        clock += 1;
        await store.recordAlert({ key: "other", channel: "log", message: "x" });
        expect(await store.listAlerts()).toEqual([
          { key: "other", channel: "log", message: "x", sentAt: T0 + 1 },
          { ...alert, sentAt: T0 },
        ]);
        expect((await store.listAlerts({ flowId: "f" })).map((a) => a.key)).toEqual(["run:r1:failed"]);
      });
    });

    describe.runIf(options.reopen)("persistence", () => {
      it("a second instance sees what the first wrote, secrets included", async () => {
        const one = await fresh();
        await flow(one);
        await one.saveConnection({ id: "c", label: "c", kind: "oauth" });
        await one.tokenStore().save("c", tokens("shared"));
        await one.recordTriggerEvents("flow-a", { c: 1 }, [{ eventKey: "e", payload: {} }]);
        const two = await sibling(one);
        expect((await two.tokenStore().load("c"))!.accessToken).toBe("shared");
        expect((await two.getTriggerState("flow-a"))!.cursor).toEqual({ c: 1 });
        expect(await two.recordTriggerEvents("flow-a", { c: 1 }, [{ eventKey: "e", payload: {} }])).toEqual(
          [],
        );
      });
    });
  });
}
