// `hlconnect import batchleads` as a user runs it: against the sandbox through the HIGHLEVEL_*
// environment, the JSON summary, the free re-import, the dry run, readable errors, and an import
// killed with SIGKILL half way and run again.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  notesOf,
  SAMPLE,
  sandboxContacts,
  startWorld,
  type TestWorld,
  tasksOf,
} from "../../batchleads/test/sync-helpers.ts";

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, "../bin/hlconnect.mjs");

interface Summary {
  complete: boolean;
  resumed: boolean;
  rowsRead: number;
  leads: number;
  rowsRejected: number;
  contacts: { created: number; updated: number; unchanged: number };
  notesCreated: number;
  tasksCreated: number;
  complianceSkips: number;
  tagCalls: number;
  apiCalls: number;
  dryRun: boolean;
}

async function cli(args: string[], env: Record<string, string | undefined>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, HIGHLEVEL_TOKEN: undefined, HIGHLEVEL_LOCATION_ID: undefined, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function envOf(world: TestWorld) {
  return {
    HIGHLEVEL_BASE_URL: world.baseUrl,
    HIGHLEVEL_TOKEN: world.token,
    HIGHLEVEL_LOCATION_ID: world.locationId,
  };
}

describe("hlconnect import batchleads", () => {
  let world: TestWorld;
  let dir: string;
  beforeAll(async () => {
    world = await startWorld(41);
    dir = mkdtempSync(path.join(tmpdir(), "hl-import-"));
  });
  afterAll(async () => {
    await world?.close();
  });

  it("imports the sample (--json: one object on stdout), then re-imports with zero writes", async () => {
    const data = path.join(dir, "data");
    const rejected = path.join(dir, "rejected.csv");
    const r = await cli(
      ["import", "batchleads", SAMPLE, "--json", "--data", data, "--rejected", rejected],
      envOf(world),
    );
    // stdout is not a terminal here: stderr holds only progress lines (one every few seconds).
    for (const line of r.stderr.split("\n").filter(Boolean)) {
      expect(line).toMatch(/^import batchleads: (reading the file|syncing): .*, \d+ s$/);
    }
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const s = JSON.parse(lines[0]!) as Summary;
    expect(s).toMatchObject({ complete: true, rowsRead: 300, leads: 300, rowsRejected: 0, dryRun: false });
    expect(s.contacts.created).toBe(300);
    expect(existsSync(path.join(data, "batchleads.db"))).toBe(true);
    expect(existsSync(rejected)).toBe(false); // nothing rejected, no report

    const mark = world.mark();
    const again = await cli(["import", "batchleads", SAMPLE, "--json", "--data", data], envOf(world));
    expect(again.code).toBe(0);
    const s2 = JSON.parse(again.stdout) as Summary;
    expect(world.writesSince(mark)).toBe(0);
    // One read: the search checking that a sample of the remembered contacts still exists.
    expect(s2.apiCalls).toBe(1);
    expect(s2.contacts.unchanged).toBe(300);
  });

  it("prints a readable summary without --json", async () => {
    const r = await cli(["import", "batchleads", SAMPLE, "--data", path.join(dir, "data")], envOf(world));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Import finished: /);
    expect(r.stdout).toMatch(/contacts unchanged\s+300/);
    expect(r.stdout).toMatch(/API calls\s+1 /);
  });

  it("--dry-run makes no call, needs no token, and says what would be written", async () => {
    const mark = world.mark();
    const r = await cli(["import", "batchleads", SAMPLE, "--dry-run", "--json"], {});
    expect(r.code).toBe(0);
    expect(world.requestsSince(mark)).toHaveLength(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s).toMatchObject({ dryRun: true, apiCalls: 0, leads: 300 });
    expect(s.contacts.created).toBe(300);
    expect(s.tagCalls).toBeGreaterThan(0);
  });

  // Skipped only where util-linux's `script` (which provides the pseudo-terminal) is not installed.
  it.skipIf(!existsSync("/usr/bin/script"))("shows a progress bar on a terminal (stderr)", async () => {
    // `script` gives the command a pseudo-terminal, as a person's shell would.
    const command = `${process.execPath} ${BIN} import batchleads ${SAMPLE} --dry-run`;
    const { stdout } = await run("/usr/bin/script", ["-qec", command, "/dev/null"]);
    expect(stdout).toMatch(/\r\[#+\] 100% {2}reading \d+ KB of \d+ KB/);
    expect(stdout).toMatch(/\r\[#+\] 100% {2}syncing 300\/300 leads/);
    expect(stdout).toMatch(/Dry run, nothing was written/);
  });

  it("errors are readable, with a non-zero exit", async () => {
    const missing = await cli(["import", "batchleads", path.join(dir, "nope.csv")], envOf(world));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.csv: no such file/);

    const map = path.join(dir, "bad-map.json");
    writeFileSync(map, '{"hotStatus": ["Hot"]}');
    const badMap = await cli(["import", "batchleads", SAMPLE, "--dry-run", "--map", map], {});
    expect(badMap.code).toBe(2);
    expect(badMap.stderr).toMatch(/mapping file .*bad-map\.json: unknown key "hotStatus"/);

    const notCsv = path.join(dir, "notes.txt");
    writeFileSync(notCsv, "just some text\nnothing like an export\n");
    const wrongFile = await cli(["import", "batchleads", notCsv, "--dry-run"], {});
    expect(wrongFile.code).toBe(2);
    expect(wrongFile.stderr).toMatch(/notes\.txt: .*header/);

    const noToken = await cli(["import", "batchleads", SAMPLE], { HIGHLEVEL_LOCATION_ID: world.locationId });
    expect(noToken.code).not.toBe(0);
    expect(noToken.stderr).toMatch(/HIGHLEVEL_TOKEN is not set/);

    const wrongToken = await cli(["import", "batchleads", SAMPLE, "--data", path.join(dir, "d2")], {
      ...envOf(world),
      HIGHLEVEL_TOKEN: "pit-00000000-0000-0000-0000-000000000000",
    });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toMatch(/HighLevel refused the token \(401\): check HIGHLEVEL_TOKEN/);
  });
});

describe("hlconnect import batchleads, killed half way", () => {
  let world: TestWorld;
  beforeAll(async () => {
    // A burst limit slows the import to about 100 calls a second, so the kill lands mid-import.
    world = await startWorld(43, { max: 100, windowMs: 1000 });
  });
  afterAll(async () => {
    await world?.close();
  });

  /** Start the import as a child process and send `signal` once the sandbox has seen `after` upserts. */
  async function startAndSignal(data: string, signal: NodeJS.Signals, after: number) {
    const child = spawn(process.execPath, [BIN, "import", "batchleads", SAMPLE, "--json", "--data", data], {
      env: { ...process.env, ...envOf(world) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (upserts() >= after) {
          clearInterval(timer);
          child.kill(signal);
          resolve();
        }
      }, 5);
      child.on("exit", () => {
        clearInterval(timer);
        if (upserts() < after) reject(new Error(`the import ended before ${signal}: ${stderr}`));
      });
    });
    return { code: await exited, stdout, stderr };
  }
  const upserts = () => world.sandbox.requests().filter((r) => r.operationId === "upsert-contact").length;

  it("Ctrl-C, then SIGKILL, then a full run: every lead once, no duplicate notes or tasks, counts add up", async () => {
    const data = mkdtempSync(path.join(tmpdir(), "hl-kill-"));
    // Ctrl-C: the leads in flight finish, the summary says where it stopped.
    const interrupted = await startAndSignal(data, "SIGINT", 40);
    expect(interrupted.code).toBe(130);
    const partial = JSON.parse(interrupted.stdout) as Summary;
    expect(partial.complete).toBe(false);
    expect(partial.contacts.created).toBeGreaterThanOrEqual(40);
    expect(partial.contacts.created).toBeLessThan(300);
    expect(interrupted.stderr).toMatch(/interrupted: run the same command again/);

    // SIGKILL: no chance to record anything more.
    const killed = await startAndSignal(data, "SIGKILL", 140);
    expect(killed.code).toBeNull();
    expect(upserts()).toBeLessThan(300);

    const r = await cli(["import", "batchleads", SAMPLE, "--json", "--data", data], envOf(world));
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s).toMatchObject({ complete: true, resumed: true, leads: 300 });
    // The counts cover the whole import, all three runs.
    expect(s.contacts).toEqual({ created: 300, updated: 0, unchanged: 0, joined: 0 });
    expect(s.notesCreated).toBe(79);
    expect(s.tasksCreated).toBe(36);

    // Every lead once: 300 contacts, each with its note once and its hot task once.
    const mine = (await sandboxContacts(world)).filter((c) => c.source === "BatchLeads");
    expect(mine).toHaveLength(300);
    expect(upserts()).toBeGreaterThanOrEqual(300);
    expect(upserts()).toBeLessThanOrEqual(304); // at most the few in flight at the kill, repeated safely
    let notes = 0;
    let tasks = 0;
    for (const c of mine) {
      const n = await notesOf(world, String(c.id));
      const t = await tasksOf(world, String(c.id));
      expect(n.length).toBeLessThanOrEqual(1);
      expect(t.length).toBeLessThanOrEqual(1);
      notes += n.length;
      tasks += t.length;
    }
    expect(notes).toBe(79);
    expect(tasks).toBe(36);
  }, 90_000);
});
