// One real import at a time on one import state: `hlconnect import batchleads` is refused (exit 75, a
// message naming the running import) while another process holds the state, and a web import into
// the same data dir is a 409 before its upload is kept. A dry run is never held.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE } from "../../batchleads/test/sync-helpers.ts";
import { ImportJobs } from "../src/server/imports.ts";

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, "../bin/hlconnect.mjs");
const LOCK_MODULE = path.resolve(import.meta.dirname, "../../batchleads/src/sync/lock.ts");

let dataDir: string;
let child: ChildProcess;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "hl-import-lock-"));
  // Another import, as far as the lock can tell: a live process holding the data dir's state.
  const script = `import { acquireImportLock } from ${JSON.stringify(LOCK_MODULE)};
    acquireImportLock(${JSON.stringify(path.join(dataDir, "batchleads.db"))}, "web import imp_running");
    process.stdout.write("held\\n");
    setInterval(() => {}, 1000);`;
  child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("held") && resolve());
    child.once("exit", (code) => reject(new Error(`the lock holder exited with ${code}`)));
  });
});
afterAll(() => {
  child?.kill("SIGKILL");
});

async function cli(args: string[]) {
  const env = {
    ...process.env,
    HIGHLEVEL_TOKEN: "pit-not-used",
    HIGHLEVEL_LOCATION_ID: "loc_lock",
    // Never reached: the import is refused before its first call.
    HIGHLEVEL_BASE_URL: "http://127.0.0.1:9",
  };
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("one import at a time", () => {
  it("the CLI is refused with exit 75 and a message naming the running import; a dry run goes ahead", async () => {
    const r = await cli(["import", "batchleads", SAMPLE, "--data", dataDir, "--json"]);
    expect(r.code).toBe(75);
    expect(r.stderr).toContain("another import is running");
    expect(r.stderr).toContain("web import imp_running");
    expect(r.stderr).toContain(`process ${child.pid}`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
    expect(r.stdout).toBe("");

    const dry = await cli(["import", "batchleads", SAMPLE, "--data", dataDir, "--dry-run", "--json"]);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout.trim().split("\n").at(-1)!).leads).toBeGreaterThan(0);
  });

  it("a web import into the same data dir is a 409 naming it, before its upload is kept", async () => {
    const jobs = new ImportJobs(dataDir);
    const bytes = readFileSync(SAMPLE);
    await expect(
      jobs.accept("export.csv", bytes, { dryRun: false, locationId: "loc_lock" }),
    ).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining("web import imp_running"),
    });
    expect(jobs.list()).toEqual([]);
    // Dry runs do not write the state: accepted.
    const dry = await jobs.accept("export.csv", bytes, { dryRun: true });
    expect(dry.status).toBe("queued");
  });
});
