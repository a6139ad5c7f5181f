// Bad scale-out configuration at start: one clear line on stderr naming what is wrong (a URL with its
// password masked), a non-zero exit, nothing half started.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "../../../engine/test/support/services.ts";
import { runCli } from "./processes.ts";

const dataDir = mkdtempSync(path.join(tmpdir(), "hlconnect-badconf-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const base = {
  HLCONNECT_SECRET: "a bad config passphrase",
  HLCONNECT_DATABASE_URL: "",
  HLCONNECT_REDIS_URL: "",
};

/** stderr must be exactly one line. */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe("bad scale-out configuration", () => {
  it("an unreachable PostgreSQL: one line naming it, password masked, exit 1", async () => {
    const result = await runCli(["serve", "--port", "0", "--data", dataDir], {
      ...base,
      HLCONNECT_DATABASE_URL: "postgres://app:s3cr3t-pw@127.0.0.1:1/hl",
      HLCONNECT_REDIS_URL: TEST_REDIS_URL,
    });
    expect(result.code).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toMatch(
      /^hlconnect: cannot reach PostgreSQL at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/hl: /,
    );
    expect(line).not.toContain("s3cr3t-pw");
  }, 60_000);

  it("an unreachable Redis: one line naming it, password masked, exit 1", async () => {
    const result = await runCli(["worker"], {
      ...base,
      HLCONNECT_DATABASE_URL: TEST_DATABASE_URL,
      HLCONNECT_REDIS_URL: "redis://:r3dis-pw@127.0.0.1:1",
    });
    expect(result.code).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toMatch(/^hlconnect: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1: /);
    expect(line).not.toContain("r3dis-pw");
  }, 60_000);

  it("half a configuration, or a worker without one, is a usage error (exit 2) saying what is missing", async () => {
    const half = await runCli(["serve", "--port", "0", "--data", dataDir], {
      ...base,
      HLCONNECT_DATABASE_URL: TEST_DATABASE_URL,
    });
    expect(half.code).toBe(2);
    expect(oneLine(half.stderr)).toMatch(/HLCONNECT_DATABASE_URL is set but HLCONNECT_REDIS_URL is not/);
    const worker = await runCli(["worker"], base);
    expect(worker.code).toBe(2);
    expect(oneLine(worker.stderr)).toMatch(
      /hlconnect worker needs HLCONNECT_DATABASE_URL and HLCONNECT_REDIS_URL/,
    );
    const wrong = await runCli(
      ["worker", "--database-url", "mysql://x@y/z", "--redis-url", TEST_REDIS_URL],
      base,
    );
    expect(wrong.code).toBe(2);
    expect(oneLine(wrong.stderr)).toMatch(/HLCONNECT_DATABASE_URL must be a postgres:\/\/ URL/);
  }, 60_000);
});
