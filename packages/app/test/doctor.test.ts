// `hlconnect doctor`: one line per check, each problem with its fix; exit 1 when something failed.
// Uses the local sandbox as "HighLevel", and the PostgreSQL and Redis of the test machine.
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEngine } from "../src/cli/data.ts";
import { type Check, runChecks } from "../src/cli/doctor.ts";

const exec = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, "../bin/hlconnect.mjs");
const SECRET = "doctor-test-secret-0123456789";

const byWhat = (checks: Check[], what: string) => checks.filter((c) => c.what === what);

/** Run the checks with these variables set (and the rest of the environment as it is). */
async function checksWith(env: Record<string, string | undefined>, data: string): Promise<Check[]> {
  const saved = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await runChecks(data);
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

describe("hlconnect doctor", () => {
  let sandbox: Sandbox;
  let root: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, seed: 3 });
    root = mkdtempSync(path.join(tmpdir(), "hlc-doctor-"));
  });
  afterAll(async () => {
    await sandbox?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("a fresh machine: no data dir, no secret; HighLevel reachable", async () => {
    const checks = await checksWith(
      {
        HLCONNECT_SECRET: undefined,
        HIGHLEVEL_BASE_URL: sandbox.info.baseUrl,
        HLCONNECT_DATABASE_URL: undefined,
        HLCONNECT_REDIS_URL: undefined,
      },
      path.join(root, "none"),
    );
    expect(byWhat(checks, "node")[0]).toMatchObject({ level: "ok" });
    expect(byWhat(checks, "data dir")[0]).toMatchObject({
      level: "warn",
      fix: expect.stringMatching(/hlconnect serve --data/),
    });
    expect(byWhat(checks, "secret")[0]).toMatchObject({
      level: "fail",
      fix: expect.stringMatching(/export HLCONNECT_SECRET=/),
    });
    expect(byWhat(checks, "highlevel")[0]).toMatchObject({
      level: "ok",
      detail: expect.stringContaining(sandbox.info.baseUrl),
    });
  });

  it("a data dir others can read, its store, its connections, and an unreachable HighLevel", async () => {
    const dir = path.join(root, "data");
    const { engine } = await openEngine({ data: dir }, { secret: SECRET });
    await engine.addConnection(
      { id: "ok-one", label: "Fine", kind: "pit", locationIds: ["loc1"] },
      { privateToken: "pit-doctor-1" },
    );
    const broken = await engine.addConnection(
      { id: "broken", label: "Expired", kind: "pit", locationIds: ["loc2"] },
      { privateToken: "pit-doctor-2" },
    );
    await engine.store.setConnectionStatus(broken.id, "needs_reconnect", "token revoked");
    await engine.stop();
    chmodSync(dir, 0o755);
    chmodSync(path.join(dir, "hlconnect.db"), 0o644);

    const checks = await checksWith(
      {
        HLCONNECT_SECRET: SECRET,
        HIGHLEVEL_BASE_URL: "http://127.0.0.1:9",
        HLCONNECT_DATABASE_URL: undefined,
        HLCONNECT_REDIS_URL: undefined,
      },
      dir,
    );
    expect(byWhat(checks, "data dir")[0]).toMatchObject({ level: "warn", fix: `chmod 700 ${dir}` });
    expect(byWhat(checks, "data files")[0]).toMatchObject({
      level: "warn",
      fix: expect.stringContaining(`chmod 600 ${path.join(dir, "hlconnect.db")}`),
    });
    expect(byWhat(checks, "secret")[0]).toMatchObject({ level: "ok" });
    expect(byWhat(checks, "store")[0]).toMatchObject({
      level: "ok",
      detail: expect.stringMatching(/SQLite .* answers \(0 flows, 2 connections\)/),
    });
    expect(byWhat(checks, "queue")[0]).toMatchObject({ level: "ok" });
    expect(byWhat(checks, "connection ok-one")[0]).toMatchObject({ level: "ok" });
    expect(byWhat(checks, "connection broken")[0]).toMatchObject({
      level: "fail",
      detail: expect.stringContaining("token revoked"),
      fix: "hlconnect connections remove broken and add it again with a valid token",
    });
    expect(byWhat(checks, "highlevel")[0]).toMatchObject({
      level: "fail",
      detail: expect.stringContaining("not reachable"),
    });
  });

  it("PostgreSQL and Redis: answering, and not", async () => {
    const up = await checksWith(
      {
        HLCONNECT_DATABASE_URL: "postgres://root@127.0.0.1:5432/test",
        HLCONNECT_REDIS_URL: "redis://127.0.0.1:6379",
        HIGHLEVEL_BASE_URL: sandbox.info.baseUrl,
      },
      path.join(root, "none"),
    );
    expect(byWhat(up, "store")[0]).toMatchObject({
      level: "ok",
      detail: expect.stringMatching(/^PostgreSQL .* answers/),
    });
    expect(byWhat(up, "queue")[0]).toMatchObject({
      level: "ok",
      detail: expect.stringMatching(/^Redis .* answers/),
    });
    const down = await checksWith(
      {
        HLCONNECT_DATABASE_URL: "postgres://root:pw@127.0.0.1:9/test",
        HLCONNECT_REDIS_URL: "redis://127.0.0.1:9",
        HIGHLEVEL_BASE_URL: sandbox.info.baseUrl,
      },
      path.join(root, "none"),
    );
    expect(byWhat(down, "store")[0]).toMatchObject({
      level: "fail",
      fix: expect.stringMatching(/HLCONNECT_DATABASE_URL/),
    });
    expect(byWhat(down, "store")[0]!.detail).toContain("root:***@");
    expect(byWhat(down, "queue")[0]).toMatchObject({
      level: "fail",
      fix: expect.stringMatching(/HLCONNECT_REDIS_URL/),
    });
  });

  it("prints a line per check with its fix and exits 1 when one failed", async () => {
    const r = await exec(process.execPath, [BIN, "doctor", "--data", path.join(root, "none")], {
      env: { ...process.env, HLCONNECT_SECRET: "", HIGHLEVEL_BASE_URL: sandbox.info.baseUrl },
    }).catch((e: { code: number; stdout: string }) => e);
    expect((r as { code?: number }).code).toBe(1);
    expect(r.stdout).toMatch(
      /^fail +secret +HLCONNECT_SECRET is not set.*\n +fix: export HLCONNECT_SECRET=/m,
    );
    expect(r.stdout).toMatch(/^ok +highlevel +http:\/\/127\.0\.0\.1:\d+ reachable/m);
    expect(r.stdout).toMatch(/\n1 failed, \d+ to look at\n$/);
  });
});
