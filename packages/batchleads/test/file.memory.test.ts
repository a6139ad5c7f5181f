import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRowError, readExportRows } from "../src/file/read.ts";
import { isRejected, normalizeRow } from "../src/normalize/row.ts";
import { writeMessyExport } from "./fixtures/messy.ts";

// A full collection before the baseline, so garbage left by earlier work does not count as growth.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bl-mem-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("constant memory", () => {
  it("reads and normalises a 200,000-row file with the heap staying flat", { timeout: 300_000 }, async () => {
    const path = join(dir, "big.csv");
    const stats = await writeMessyExport(path, { rows: 200_000, seed: 2024, crlf: true });
    // Far larger than the bound below: holding the file (or its rows) in memory would fail the test.
    expect(statSync(path).size).toBeGreaterThan(60 * 1024 * 1024);
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let rows = 0;
    let leads = 0;
    let rejected = 0;
    for await (const item of readExportRows(path)) {
      if (isRowError(item)) throw new Error(`row ${item.row}: ${item.error}`);
      rows++;
      if (isRejected(normalizeRow(item.values, item.row))) rejected++;
      else leads++;
      if (rows % 2000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(rows).toBe(200_000);
    expect(rejected).toBe(stats.keyless);
    expect(leads).toBe(200_000 - stats.keyless);
    expect(peak - baseline).toBeLessThan(100 * 1024 * 1024);
  });
});
