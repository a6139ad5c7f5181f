// Which commits of the embedded store are flushed to the disk before they return (synchronous=FULL)
// and which are bookkeeping left in the WAL for the next flushed commit (withoutFlush): a promise to the
// outside (a webhook acknowledged, a step's recorded input before its call) must be flushed; the
// engine's own bookkeeping must not pay an fsync each.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { openSqliteJobQueue } from "../src/queue/sqlite.ts";
import { type SqliteDb, withoutFlush } from "../src/store/sqlite/db.ts";
import { openSqliteStore, type SqliteStore } from "../src/store/sqlite/store.ts";

const dir = mkdtempSync(join(tmpdir(), "hlconnect-durability-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

/** The SQL each store call prepares, in order (the store prepares its hot statements per call). */
function recordStatements(db: SqliteDb): string[] {
  const log: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    log.push(sql.replace(/\s+/g, " ").trim());
    return prepare(sql);
  }) as SqliteDb["prepare"];
  return log;
}

/** The synchronous level each write statement of the log ran at (FULL unless inside NORMAL ... FULL). */
function levels(log: string[], pattern: RegExp): string[] {
  let level = "FULL";
  const seen: string[] = [];
  for (const sql of log) {
    const pragma = /^PRAGMA synchronous = (\w+)/.exec(sql);
    if (pragma) level = pragma[1]!;
    else if (pattern.test(sql)) seen.push(level);
  }
  return seen;
}

describe("SQLite store: what is flushed before it returns", () => {
  let store: SqliteStore;
  let log: string[];
  beforeEach(async () => {
    store = await openSqliteStore({ file: join(dir, `d-${++counter}.db`) });
    await store.saveFlow({ id: "f", name: "F", source: "trigger: x\n" });
    log = recordStatements(store.db);
    return () => store.close();
  });

  it("flushes a stored webhook (the 200 promises it) but not its claim or its routing", async () => {
    const { id } = await store.insertWebhook({
      source: "highlevel",
      webhookId: "w1",
      payload: { type: "ContactCreate" },
      receivedAt: Date.now(),
    });
    expect(levels(log, /^INSERT INTO webhooks/)).toEqual(["FULL"]);
    await store.claimWebhooks("router", { limit: 5 });
    expect(levels(log, /^UPDATE webhooks SET status = 'claimed'/)).toEqual(["NORMAL"]);
    await store.routeWebhook(id, [{ flowId: "f", trigger: {}, eventKey: "e1" }]);
    expect(levels(log, /^UPDATE webhooks SET status = @status/)).toEqual(["NORMAL"]);
  });

  it("flushes a step's recorded input before its call, not the run's moves or the step's result", async () => {
    const { run } = await store.createRun({ flowId: "f", trigger: {}, eventKey: "e2" });
    await store.startRun(run.id);
    await store.startStep(run.id, "s1", { title: "Call" });
    await store.finishStep(run.id, "s1", { status: "succeeded", output: { id: "t1" } });
    await store.finishRun(run.id, "succeeded");
    expect(levels(log, /^INSERT INTO steps \(run_id, step_id, status, input/)).toEqual(["FULL"]);
    expect(levels(log, /^INSERT INTO steps \(run_id, step_id, status, output/)).toEqual(["NORMAL"]);
    expect(levels(log, /^UPDATE runs SET status/)).toEqual(["NORMAL", "NORMAL"]);
    expect(store.db.pragma("synchronous", { simple: true })).toBe(2);
  });

  it("keeps the job queue's writes as bookkeeping", async () => {
    const queue = openSqliteJobQueue({ db: store.db });
    const { run } = await store.createRun({ flowId: "f", trigger: {}, eventKey: "e3" });
    await queue.enqueue({ runId: run.id });
    const job = await queue.reserve("w", 30_000);
    await queue.extendLease(job!.id, 30_000, job!.leaseId);
    await queue.complete(job!.id, job!.leaseId);
    expect(levels(log, /^(INSERT INTO jobs|UPDATE jobs|DELETE FROM jobs)/)).toEqual([
      "NORMAL",
      "NORMAL",
      "NORMAL",
      "NORMAL",
    ]);
    expect(store.db.pragma("synchronous", { simple: true })).toBe(2);
  });
});

describe("withoutFlush", () => {
  it("runs at synchronous=NORMAL and puts FULL back, also when the work throws", async () => {
    const store = await openSqliteStore({ file: join(dir, `d-${++counter}.db`) });
    const inside = withoutFlush(store.db, () => store.db.pragma("synchronous", { simple: true }));
    expect(inside).toBe(1);
    expect(() =>
      withoutFlush(store.db, () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(store.db.pragma("synchronous", { simple: true })).toBe(2);
    await store.close();
  });
});
