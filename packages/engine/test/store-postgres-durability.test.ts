// Which writes of the PostgreSQL store wait for the WAL flush before they return (synchronous_commit on)
// and which are bookkeeping committed without waiting (ASYNC_COMMIT in store/postgres/context.ts): a
// promise to the outside (a webhook acknowledged, a step's recorded input before its call, flows,
// connections) must be durable; the engine's own bookkeeping (claims, routing, run moves, step results)
// must not wait for a flush each. A trigger on each table records the setting every row change ran
// under, inside the very transaction that commits it. Needs PostgreSQL: fails, not skips, without it.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { openPgStore, type PgStore } from "../src/store/postgres/store.ts";
import { dropSchemas, TEST_DATABASE_URL, uniqueName } from "./support/services.ts";

const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));

const TABLES = ["flows", "connections", "webhooks", "runs", "steps"];

/** Log every row change of TABLES with the synchronous_commit its transaction runs under. */
async function recordSettings(store: PgStore): Promise<void> {
  await store.pool.query(`
    CREATE TABLE write_log (seq BIGSERIAL, what TEXT NOT NULL, setting TEXT NOT NULL);
    CREATE FUNCTION log_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO write_log (what, setting) VALUES (
        TG_OP || ' ' || TG_TABLE_NAME || coalesce(' ' || (to_jsonb(NEW) ->> 'status'), ''),
        current_setting('synchronous_commit'));
      RETURN NULL;
    END $$;
    ${TABLES.map(
      (t) =>
        `CREATE TRIGGER log_${t} AFTER INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION log_write();`,
    ).join("\n")}`);
}

async function writes(store: PgStore): Promise<string[]> {
  const { rows } = await store.pool.query<{ what: string; setting: string }>(
    "SELECT what, setting FROM write_log ORDER BY seq",
  );
  return rows.map((r) => `${r.what}: ${r.setting}`);
}

describe("PostgreSQL store: which writes wait for the WAL flush", () => {
  let store: PgStore;
  beforeEach(async () => {
    const schema = uniqueName("t_durable");
    schemas.push(schema);
    // One connection: a setting leaking from a bookkeeping write into the next durable one would show.
    store = await openPgStore({ url: TEST_DATABASE_URL, schema, poolSize: 1, secret: "a long passphrase!" });
    await recordSettings(store);
    return () => store.close();
  });

  it("keeps flows and connections durable", async () => {
    await store.saveFlow({ id: "f", name: "F", source: "trigger: x\n" });
    await store.saveConnection({ id: "c", label: "C", kind: "pit" });
    await store.setConnectionSecrets("c", { privateToken: "pit-token-of-the-test" });
    expect(await writes(store)).toEqual([
      "INSERT flows active: on",
      "INSERT connections ok: on",
      "UPDATE connections ok: on",
    ]);
  });

  it("acknowledges a webhook durably, then claims and routes it as bookkeeping", async () => {
    await store.saveFlow({ id: "f", name: "F", source: "trigger: x\n" });
    const { id } = await store.insertWebhook({
      source: "highlevel",
      webhookId: "w1",
      payload: { type: "ContactCreate" },
      receivedAt: Date.now(),
    });
    await store.insertWebhooks!([
      { source: "highlevel", webhookId: "w2", payload: {}, receivedAt: Date.now() },
    ]);
    const claimed = await store.claimWebhooks("router", { limit: 1 });
    expect(claimed.map((w) => w.id)).toEqual([id]);
    await store.routeWebhook(id, [{ flowId: "f", trigger: {}, eventKey: "e1" }]);
    expect((await writes(store)).slice(1)).toEqual([
      "INSERT webhooks pending: on",
      "INSERT webhooks pending: on",
      "UPDATE webhooks claimed: off",
      "INSERT runs queued: off",
      "UPDATE webhooks routed: off",
    ]);
  });

  it("records a step's input durably before its call; run moves and step results are bookkeeping", async () => {
    await store.saveFlow({ id: "f", name: "F", source: "trigger: x\n" });
    const { run } = await store.createRun({ flowId: "f", trigger: {}, eventKey: "e2" });
    await store.startRun(run.id);
    await store.startStep(run.id, "s1", { title: "Call" });
    await store.finishStep(run.id, "s1", { status: "failed", error: { message: "boom" } });
    await store.requeueRun(run.id);
    await store.startRun(run.id);
    await store.startStep(run.id, "s1", { title: "Call" });
    await store.finishStep(run.id, "s1", { status: "succeeded", output: { id: "t1" } });
    await store.finishRun(run.id, "succeeded");
    expect((await writes(store)).slice(1)).toEqual([
      "INSERT runs queued: on",
      "UPDATE runs running: off",
      "INSERT steps running: on",
      "UPDATE steps failed: off",
      "UPDATE runs queued: off",
      "UPDATE runs running: off",
      "UPDATE steps running: on",
      "UPDATE steps succeeded: off",
      "UPDATE runs succeeded: off",
    ]);
    // Nothing leaks into the session once a bookkeeping statement is done.
    const { rows } = await store.pool.query("SELECT current_setting('synchronous_commit') AS s");
    expect(rows[0].s).toBe("on");
  });

  it("a refused move or step write still says why, and writes nothing", async () => {
    await store.saveFlow({ id: "f", name: "F", source: "trigger: x\n" });
    const { run } = await store.createRun({ flowId: "f", trigger: {}, eventKey: "e3" });
    await expect(store.finishStep("no-such-run", "s1", { status: "succeeded" })).rejects.toThrow(
      /no-such-run/,
    );
    await expect(store.requeueRun(run.id)).rejects.toThrow(/is queued: only a running or failed/);
    await store.startRun(run.id);
    await store.startStep(run.id, "s1", {});
    await store.finishStep(run.id, "s1", { status: "succeeded" });
    await expect(store.startStep(run.id, "s1", {})).rejects.toThrow(
      /already succeeded: it must not run again/,
    );
    await expect(store.finishStep(run.id, "s1", { status: "failed" })).rejects.toThrow(/already succeeded/);
    expect((await writes(store)).slice(1)).toEqual([
      "INSERT runs queued: on",
      "UPDATE runs running: off",
      "INSERT steps running: on",
      "UPDATE steps succeeded: off",
    ]);
  });
});
