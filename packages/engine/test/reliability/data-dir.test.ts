// The data dir holds contact data and encrypted tokens: it is created 700 and its database files 600,
// whatever the umask, and a data dir left world-readable by an older version is tightened on open.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Engine } from "../../src/engine.ts";

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

  it("an existing world-readable data dir and database are tightened on open", async () => {
    const dir = path.join(root, "old");
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const first = await Engine.open({ dataDir: dir, secret: "a-permissions-test-passphrase" });
    await first.stop();
    chmodSync(dir, 0o755);
    chmodSync(path.join(dir, "hlconnect.db"), 0o644);
    writeFileSync(path.join(dir, "notes.txt"), "left alone");
    const engine = await Engine.open({ dataDir: dir, secret: "a-permissions-test-passphrase" });
    expect(mode(dir)).toBe("700");
    expect(mode(path.join(dir, "hlconnect.db"))).toBe("600");
    await engine.stop();
  });
});
