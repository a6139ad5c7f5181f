// A lock left by a process that is gone (kill -9) is taken at once on this machine, not waited out for
// its lease; a live holder is still waited for.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LockTimeoutError } from "../src/store/errors.ts";
import { openSqliteStore } from "../src/store/sqlite/store.ts";

const dir = mkdtempSync(join(tmpdir(), "hlconnect-locks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("SQLite locks", () => {
  it("takes a lock whose holder's process is gone, and waits for a live one", async () => {
    const store = await openSqliteStore({ file: join(dir, "l.db"), locks: { waitMs: 300, pollMs: 20 } });
    // A pid that existed and is gone now.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid!;
    const farFuture = Date.now() + 3_600_000;
    store.db
      .prepare("INSERT INTO locks (name, owner, expires_at) VALUES (?, ?, ?)")
      .run("backfill:f", `${gone}:lck_dead`, farFuture);
    // Its lease runs for an hour and this waits 300 ms at most: only the takeover lets it run.
    expect(await store.withLock("backfill:f", async () => "ran")).toBe("ran");
    // This very process as the holder (alive): waited for, then refused after waitMs.
    store.db
      .prepare("INSERT INTO locks (name, owner, expires_at) VALUES (?, ?, ?)")
      .run("poll:g", `${process.ppid}:lck_alive`, farFuture);
    await expect(store.withLock("poll:g", async () => "ran")).rejects.toBeInstanceOf(LockTimeoutError);
    await store.close();
  });
});
