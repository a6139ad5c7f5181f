// A token is checked when it is saved: refused tokens are not kept, and each scope a flow needs but
// the token lacks is named with the flow ("flow welcome-call-task needs contacts.write").
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Engine } from "@hlconnect/engine/engine";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const SECRET = "connection-scopes-test-passphrase";

describe("connections add checks the token against the flows' requirements", () => {
  let sandbox: Sandbox;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    dataDir = mkdtempSync(path.join(tmpdir(), "hlc-scopes-"));
    env = { HLCONNECT_SECRET: SECRET, HIGHLEVEL_BASE_URL: sandbox.info.baseUrl };
    const engine = await Engine.open({ dataDir, secret: SECRET, baseUrl: sandbox.info.baseUrl });
    const file = path.join(ROOT, "examples/flows/welcome-call-task.yaml");
    const saved = await engine.saveFlow(readFileSync(file, "utf8"), file);
    expect(saved.errors).toEqual([]);
    await engine.stop();
  });
  afterAll(async () => {
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const add = (token: string) =>
    runCli(
      ["connections", "add", "--token", token, "--location", sandbox.info.locationId, "--data", dataDir],
      env,
    );
  const list = async () => {
    const listed = await runCli(["connections", "list", "--json", "--data", dataDir], env);
    expect(listed.code).toBe(0);
    return JSON.parse(listed.stdout) as unknown[];
  };

  it("names the flow and the scope a read-only token lacks, and keeps the connection", async () => {
    const token = sandbox.createToken({ scopes: ["contacts.readonly"] });
    const { code, stdout } = await add(token);
    expect(code).toBe(0);
    expect(stdout).toMatch(/added connection \S+/);
    expect(stdout).toContain("warning: flow welcome-call-task needs contacts.write, which this token lacks");
    expect(stdout).not.toContain("needs contacts.readonly");
  });

  it("refuses a token HighLevel does not accept, keeping nothing", async () => {
    const count = (await list()).length;
    const refused = await add("pit-not-a-real-token");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("the token was not saved: HighLevel refused it");
    expect((await list()).length).toBe(count);
  });
});
