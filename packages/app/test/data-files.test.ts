// Files the server leaves in the data dir are private to their owner (600), like the database.
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeServerFile } from "../src/cli/server-file.ts";

describe("server.json", () => {
  it("is written 600, also over an older 644 file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hlconnect-files-"));
    try {
      const file = path.join(dir, "server.json");
      writeFileSync(file, "{}");
      chmodSync(file, 0o644);
      writeServerFile(dir, "http://127.0.0.1:3000");
      expect((statSync(file).mode & 0o777).toString(8)).toBe("600");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
