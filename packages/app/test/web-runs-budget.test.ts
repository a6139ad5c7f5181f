// The runs list over 10,000 runs: every run is reached exactly once through the keyset cursor, and
// the queries behind the list stay index-backed (no full sort), which is what keeps a page cheap at
// any depth. The time itself is a bench figure (bench/suites/web.ts), not a test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noteFlow, type WebFixture, webFixture } from "./web-helpers.ts";

const RUNS = 10_000;
const FLOW = noteFlow("busy", "Busy");

let f: WebFixture;

beforeAll(async () => {
  f = await webFixture();
  expect((await f.call("POST", "/api/flows", { source: FLOW })).status).toBe(201);
  // One transaction for all of them, as a poll that found 10,000 new records would write them.
  const events = Array.from({ length: RUNS }, (_, i) => ({ eventKey: `e${i}`, payload: { id: `c${i}` } }));
  const created = await f.engine.store.recordTriggerEvents("busy", null, events);
  expect(created).toHaveLength(RUNS);
});
afterAll(async () => {
  await f?.close();
});

describe("the runs list at 10,000 runs", () => {
  it("pages through every run once, newest first", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await f.call("GET", `/api/runs?limit=500${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      seen.push(...res.json.runs.map((r: { id: string }) => r.id));
      cursor = res.json.nextCursor;
      pages++;
    } while (cursor && pages < 30);
    expect(pages).toBeGreaterThanOrEqual(20);
    expect(seen).toHaveLength(RUNS);
    expect(new Set(seen).size).toBe(RUNS);
    expect([...seen].sort().reverse()).toEqual(seen);
    const filtered = await f.call("GET", `/api/runs?flowId=busy&status=queued&limit=50&cursor=${seen[5000]}`);
    expect(filtered.json.runs[0].id).toBe(seen[5001]);
  });

  it("answers each shape of the list from an index, without sorting the table", () => {
    const db = (
      f.engine.store as unknown as {
        db: { prepare(sql: string): { all(...a: unknown[]): { detail: string }[] } };
      }
    ).db;
    const shapes: Array<[string, unknown[]]> = [
      ["SELECT * FROM runs ORDER BY id DESC LIMIT 51", []],
      ["SELECT * FROM runs WHERE id < ? ORDER BY id DESC LIMIT 51", ["run_z"]],
      ["SELECT * FROM runs WHERE flow_id = ? AND id < ? ORDER BY id DESC LIMIT 51", ["busy", "run_z"]],
      ["SELECT * FROM runs WHERE status IN (?) AND id < ? ORDER BY id DESC LIMIT 51", ["queued", "run_z"]],
      ["SELECT * FROM runs WHERE created_at >= ? AND id < ? ORDER BY id DESC LIMIT 51", [0, "run_z"]],
    ];
    for (const [sql, params] of shapes) {
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...params)
        .map((r) => r.detail)
        .join(" | ");
      expect(plan, sql).not.toMatch(/TEMP B-TREE/);
      expect(plan, sql).toMatch(/USING (INDEX|PRIMARY KEY|COVERING INDEX|INTEGER PRIMARY KEY)/);
    }
  });
});
