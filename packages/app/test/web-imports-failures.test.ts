// Web imports that go wrong outside the import itself: the server keeps running and the record
// says failed (review F17).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ImportJobs } from "../src/server/imports.ts";

const SAMPLE = path.resolve(import.meta.dirname, "../../../specs/batchleads/sample-export.csv");

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "hlc-imports-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("web import failures", () => {
  it("keeps a failed record (and logs) when the final save throws, instead of an unhandled rejection", async () => {
    const dir = dataDir();
    const logged: unknown[] = [];
    const jobs = new ImportJobs(dir, { error: (...args: unknown[]) => logged.push(args) } as never);
    const record = await jobs.accept("sample.csv", readFileSync(SAMPLE), { dryRun: true });
    // import.json becomes a non-empty folder: every save of the record now throws.
    const json = path.join(dir, "imports", record.id, "import.json");
    rmSync(json);
    mkdirSync(json);
    writeFileSync(path.join(json, "x"), "");
    jobs.start(record);
    await expect(jobs.idle()).resolves.toBeUndefined();
    const after = jobs.get(record.id);
    expect(after?.status).toBe("failed");
    expect(after?.error).toBeTruthy();
    expect(logged.length).toBe(1);
  });
});
