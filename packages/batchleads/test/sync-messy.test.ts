// Generated messy exports (part A's generator) through the whole import: duplicates merged, keyless
// and broken rows in the rejected-rows report with their reasons and values, the same leads from CSV
// and XLSX, and an idempotent re-import.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_KEY_REASON } from "../src/normalize/row.ts";
import { runImport } from "../src/sync/run-import.ts";
import { SyncState } from "../src/sync/state.ts";
import { stateScope } from "../src/sync/state-location.ts";
import { type MessyStats, writeMessyExport } from "./fixtures/messy.ts";
import { sandboxContacts, startWorld, type TestWorld } from "./sync-helpers.ts";

describe("a messy export into the sandbox", () => {
  let world: TestWorld;
  let dir: string;
  let file: string;
  let stats: MessyStats;

  beforeAll(async () => {
    world = await startWorld(31);
    dir = mkdtempSync(path.join(tmpdir(), "bl-messy-"));
    file = path.join(dir, "messy.csv");
    stats = await writeMessyExport(file, { rows: 400, seed: 5, brokenEvery: 97, bom: true, crlf: true });
  });
  afterAll(async () => {
    await world?.close();
  });

  it("imports every property once, reports the rest, and re-imports for free", async () => {
    const stateFile = path.join(dir, "state.db");
    const s = await runImport({ file, locationId: world.locationId, client: world.client(), stateFile });
    expect(s.complete).toBe(true);
    expect(s.rowsRead).toBe(stats.rows + stats.broken);
    expect(s.leads).toBe(stats.properties);
    expect(s.rowsRejected).toBe(stats.keyless + stats.broken);
    expect(s.leadsFailed).toBe(0);
    expect(s.contacts.created + s.contacts.updated + s.contacts.joined).toBe(stats.properties);
    console.log(
      `[messy ${stats.rows} rows, ${stats.properties} leads, first import] ${s.apiCalls} calls = ` +
        `${(s.apiCalls / s.leads).toFixed(2)} per lead (tag calls ${s.tagCalls})`,
    );

    // Each lead's contact exists; leads of one owner may share a contact (HighLevel's duplicate rule).
    const st = SyncState.open({ file: stateFile });
    const ids = new Set<string>();
    for (const row of st.db
      .prepare("SELECT contact_id FROM written WHERE location_id = ?")
      .all(stateScope(world.baseUrl, world.locationId))) {
      ids.add((row as { contact_id: string }).contact_id);
    }
    st.close();
    const inSandbox = new Set((await sandboxContacts(world)).map((c) => String(c.id)));
    for (const id of ids) expect(inSandbox.has(id)).toBe(true);
    expect(ids.size).toBe(s.contacts.created);

    // The rejected rows: row number, reason, the original values.
    const report = parse(readFileSync(s.rejectedFile!, "utf8"), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(report).toHaveLength(stats.keyless + stats.broken);
    expect(report.filter((r) => r.reason === NO_KEY_REASON)).toHaveLength(stats.keyless);
    expect(report.filter((r) => r.reason?.startsWith("unreadable row"))).toHaveLength(stats.broken);
    for (const r of report) expect(Number(r.row)).toBeGreaterThan(0);
    const keyless = report.find((r) => r.reason === NO_KEY_REASON)!;
    expect(keyless["Lead Status"] ?? keyless["First Name"]).toBeDefined();

    const mark = world.mark();
    const again = await runImport({ file, locationId: world.locationId, client: world.client(), stateFile });
    expect(world.writesSince(mark)).toBe(0);
    expect(world.requestsSince(mark).length).toBeLessThanOrEqual(1);
    expect(again.contacts.unchanged).toBe(stats.properties);
    console.log(`[messy, re-import] ${again.apiCalls} calls`);
  });

  it("the same data as XLSX gives the same leads (dry run)", async () => {
    const xlsx = path.join(dir, "messy.xlsx");
    const xs = await writeMessyExport(xlsx, { rows: 400, seed: 5, format: "xlsx" });
    const mark = world.mark();
    const s = await runImport({ file: xlsx, locationId: world.locationId, dryRun: true });
    expect(world.requestsSince(mark)).toHaveLength(0);
    expect(s.leads).toBe(xs.properties);
    expect(s.rowsRejected).toBe(xs.keyless);
  });
});
