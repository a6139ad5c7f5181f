// One real import at a time per state file: a second one is refused naming the first; the lock goes
// when the import ends, when its process exits or throws, and a lock left by a killed process is taken
// over. Dry runs only read the state and are never refused.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireImportLock, ImportLockedError, importLockHolder, lockFileOf } from "../src/sync/lock.ts";
import { runImport } from "../src/sync/run-import.ts";
import { SAMPLE } from "./sync-helpers.ts";

const LOCK_MODULE = path.resolve(import.meta.dirname, "../src/sync/lock.ts");
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});

function tempState(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), "bl-lock-")), "batchleads.db");
}

/** A child process running `body` after taking the lock of `stateFile`; resolves when it says "held". */
function holder(stateFile: string, body: string): Promise<ChildProcess> {
  const script = `import { acquireImportLock } from ${JSON.stringify(LOCK_MODULE)};
    acquireImportLock(${JSON.stringify(stateFile)}, "the test's child");
    process.stdout.write("held\\n");
    ${body}`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("held")) resolve(child);
    });
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.once("exit", (code) => {
      if (!out.includes("held")) reject(new Error(`the child exited with ${code} before holding: ${err}`));
    });
  });
}

const exited = (c: ChildProcess) =>
  new Promise<void>((resolve) =>
    c.exitCode !== null || c.signalCode !== null ? resolve() : c.once("exit", () => resolve()),
  );

describe("the import lock", () => {
  it("refuses a second holder in the same process, naming the first; free again once released", () => {
    const state = tempState();
    const lock = acquireImportLock(state, "hlconnect import batchleads a.csv");
    expect(importLockHolder(state)?.what).toBe("hlconnect import batchleads a.csv");
    let refused: unknown;
    try {
      acquireImportLock(state, "web import imp_x");
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(ImportLockedError);
    expect((refused as Error).message).toContain("another import is running");
    expect((refused as Error).message).toContain("hlconnect import batchleads a.csv");
    expect((refused as Error).message).toContain(`process ${process.pid}`);
    lock.release();
    expect(existsSync(lockFileOf(state))).toBe(false);
    acquireImportLock(state, "again").release();
  });

  it("refuses while another live process holds it; takes it over once that process is SIGKILLed", async () => {
    const state = tempState();
    const child = await holder(state, "setInterval(() => {}, 1000);");
    expect(() => acquireImportLock(state, "second")).toThrow(/the test's child, process \d+/);
    child.kill("SIGKILL");
    await exited(child);
    // Killed: its lock file is still there, but its process is gone.
    expect(existsSync(lockFileOf(state))).toBe(true);
    const lock = acquireImportLock(state, "after the kill");
    expect(JSON.parse(readFileSync(lockFileOf(state), "utf8")).what).toBe("after the kill");
    lock.release();
  });

  it("is released when the holder exits without releasing, and when it dies of an uncaught error", async () => {
    for (const body of ["process.exit(0);", "setTimeout(() => { throw new Error('crash'); }, 10);"]) {
      const state = tempState();
      const child = await holder(state, body);
      await exited(child);
      expect(existsSync(lockFileOf(state))).toBe(false);
      acquireImportLock(state, "next").release();
    }
  });

  it("a lock naming this process's pid but not held by it (a reused pid after a restart) is stale", () => {
    const state = tempState();
    writeFileSync(
      lockFileOf(state),
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        what: "before the restart",
        startedAt: "x",
        token: "t",
      }),
    );
    expect(importLockHolder(state)).toBeUndefined();
    acquireImportLock(state, "after the restart").release();
  });

  it("runImport: a real import is refused while the state is held; a dry run is not", async () => {
    const state = tempState();
    const child = await holder(state, "setInterval(() => {}, 1000);");
    await expect(
      runImport({
        file: SAMPLE,
        locationId: "loc",
        stateFile: state,
        api: {} as never, // never reached: refused before any call
        rejectedFile: path.join(path.dirname(state), "rejected.csv"),
      }),
    ).rejects.toThrow(ImportLockedError);
    const dry = await runImport({
      file: SAMPLE,
      locationId: "loc",
      dryRun: true,
      stateFile: state,
      rejectedFile: path.join(path.dirname(state), "rejected.csv"),
    });
    expect(dry.leads).toBeGreaterThan(0);
    // The refusal left the holder's lock alone.
    expect(importLockHolder(state)?.pid).toBe(child.pid);
  });
});
