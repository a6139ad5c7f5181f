// What a new user does after `serve --demo`: the banner says how to look at its runs (with the demo's
// --data), `runs show` reads as text (JSON with --json), and `runs replay` beside the running server
// goes through the server instead of a second engine on the same data dir.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli } from "./helpers/cli.ts";

const TOKEN = "runs-demo-test-token-0123456789";

const cli = runCli;

/** Start serve --demo; resolve once `until` matches its stdout. */
function startDemo(args: string[], until: RegExp): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, [BIN, "serve", "--demo", "--port", "0", ...args], {
    env: { ...process.env, HLCONNECT_API_TOKEN: TOKEN },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      if (until.test(out)) resolve({ child, out: () => out });
    });
    child.once("exit", (code) => reject(new Error(`serve --demo exited ${code}: ${err}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
}

describe("runs of the demo", () => {
  let dir: string;
  let demo: { child: ChildProcess; out: () => string };
  let runId: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "hlc-runs-demo-"));
    demo = await startDemo(["--json", "--data", dir], /"event":"run".*"flowId":"welcome-call-task"/);
    const event = demo
      .out()
      .split("\n")
      .map((l) => (l.startsWith("{") ? JSON.parse(l) : {}))
      .find((e: { event?: string }) => e.event === "run") as { runId: string; status: string };
    expect(event.status).toBe("succeeded");
    runId = event.runId;
  }, 60_000);
  afterAll(async () => {
    if (demo) await stop(demo.child);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs show prints a readable page by default and JSON with --json", async () => {
    const text = await cli(["runs", "show", runId, "--data", dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^run ${runId} {2}flow welcome-call-task {2}succeeded`));
    expect(text.stdout).toMatch(/^steps$/m);
    expect(text.stdout).toMatch(/^ {2}task {2}succeeded/m);
    expect(text.stdout).toMatch(/^ {4}input {3}\{"contactId":/m);
    const json = JSON.parse((await cli(["runs", "show", runId, "--data", dir, "--json"])).stdout);
    expect(json.run.id).toBe(runId);
    expect(json.steps[0].stepId).toBe("task");
  });

  it("runs replay goes through the running server, and says what it needs to", async () => {
    const withoutToken = await cli(["runs", "replay", runId, "--data", dir], { HLCONNECT_API_TOKEN: "" });
    expect(withoutToken.code).toBe(1);
    expect(withoutToken.stderr).toMatch(/is running on this data dir .*set HLCONNECT_API_TOKEN/);
    const r = await cli(["runs", "replay", runId, "--data", dir], { HLCONNECT_API_TOKEN: TOKEN });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(
      new RegExp(`^succeeded {2}run_\\S+ {2}\\(replay of ${runId}, run by the server at http`),
    );
    // The server's own stream reports the replayed run: it ran there, not in the CLI's process.
    await expect
      .poll(
        () => demo.out().split(`"replayOf"`).length > 1 || demo.out().match(/"event":"run"/g)!.length >= 2,
      )
      .toBe(true);
  });

  it("the banner prints the commands to look at the runs, with the demo's folder", async () => {
    const keep = mkdtempSync(path.join(tmpdir(), "hlc-banner-"));
    const banner = await startDemo(["--data", keep], /Runs appear below/);
    try {
      expect(banner.out()).toContain(`npx hlconnect runs list --data ${keep}`);
      expect(banner.out()).toContain(
        `HLCONNECT_API_TOKEN=${TOKEN} npx hlconnect runs replay RUN_ID --data ${keep}`,
      );
      expect(banner.out()).not.toContain("To keep this folder");
    } finally {
      await stop(banner.child);
      rmSync(keep, { recursive: true, force: true });
    }
  }, 60_000);
});
