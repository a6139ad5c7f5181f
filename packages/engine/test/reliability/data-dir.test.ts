// The data dir holds contact data and encrypted tokens: it is created 700 and its database files 600,
// whatever the umask. An existing folder is never chmodded (it may be a volume the process does not
// own, or the home dir): a loose mode is logged as a warning, and its database is still made 600.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Engine } from "../../src/engine.ts";
import { silentLogger } from "../../src/logger.ts";

const root = mkdtempSync(path.join(tmpdir(), "hlconnect-perms-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe("data dir permissions", () => {
  it("a new data dir is 700 and the database, WAL and shared-memory files 600", async () => {
    const dir = path.join(root, "fresh");
    const umask = process.umask(0o022);
    try {
      const engine = await Engine.open({ dataDir: dir, secret: "a-permissions-test-passphrase" });
      await engine.store.saveFlow({ name: "x", source: "id: x" });
      expect(mode(dir)).toBe("700");
      for (const f of ["hlconnect.db", "hlconnect.db-wal", "hlconnect.db-shm"])
        expect([f, mode(path.join(dir, f))]).toEqual([f, "600"]);
      await engine.stop();
    } finally {
      process.umask(umask);
    }
  });

  it("an existing open folder is left as it is with a warning; its database is made 600", async () => {
    const dir = path.join(root, "old");
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o775); // a shared volume, group-writable
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (_: unknown, msg: string) => void warnings.push(msg) };
    const first = await Engine.open({ dataDir: dir, secret: "a-permissions-test-passphrase", logger });
    await first.stop();
    expect(mode(dir)).toBe("775");
    chmodSync(path.join(dir, "hlconnect.db"), 0o644);
    writeFileSync(path.join(dir, "notes.txt"), "left alone");
    const engine = await Engine.open({ dataDir: dir, secret: "a-permissions-test-passphrase", logger });
    expect(mode(dir)).toBe("775");
    expect(mode(path.join(dir, "hlconnect.db"))).toBe("600");
    expect(warnings.filter((w) => w.includes(`data dir ${dir} has mode 775`))).toHaveLength(2);
    await engine.stop();
  });

  it("an existing private folder opens without a warning", async () => {
    const dir = path.join(root, "private");
    mkdirSync(dir, { mode: 0o700 });
    chmodSync(dir, 0o700);
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (_: unknown, msg: string) => void warnings.push(msg) };
    const engine = await Engine.open({ dataDir: dir, secret: "a-permissions-test-passphrase", logger });
    await engine.stop();
    expect(mode(dir)).toBe("700");
    expect(warnings.filter((w) => w.includes("data dir"))).toEqual([]);
  });
});
