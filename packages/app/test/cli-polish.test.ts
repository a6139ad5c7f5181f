// Answers a new user got wrong, each found by trying: a disabled flow listed as active, and
// `connections oauth` printing a link to a server that has no OAuth app.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEngine } from "../src/cli/data.ts";
import { createSandboxContact } from "../src/cli/demo.ts";
import { BIN, runCli } from "./helpers/cli.ts";

const SECRET = "polish-test-secret-0123456789";

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { HLCONNECT_SECRET: SECRET, ...env });

const FLOW = `id: tagger
name: Tag new contacts
trigger:
  op: highlevel.contacts.new
  every: 5 min
steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input: { contactId: "{{ trigger.id }}", tags: [new] }
`;

describe("CLI answers", () => {
  let dir: string;
  let server: ChildProcess | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "hlc-polish-"));
    const { engine } = await openEngine({ data: dir }, { secret: SECRET });
    const saved = await engine.saveFlow(FLOW, "tagger.yaml");
    expect(saved.errors).toEqual([]);
    await engine.stop();
  });
  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((r) => server!.once("exit", r));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("flows list shows a disabled flow as not running, and its every as it was written", async () => {
    expect((await cli(["flows", "disable", "tagger", "--data", dir])).code).toBe(0);
    const list = await cli(["flows", "list", "--data", dir]);
    const line = list.stdout.split("\n").find((l) => l.startsWith("tagger"))!;
    expect(line).toMatch(/every 5 min +disabled +not running +Tag new contacts/);
    expect(line).not.toMatch(/active/);
    expect((await cli(["flows", "enable", "tagger", "--data", dir])).code).toBe(0);
    const enabled = (await cli(["flows", "list", "--data", dir])).stdout;
    expect(enabled).toMatch(/^tagger .* enabled +active/m);
  }, 120_000);

  it("connections oauth names what to set when the server has no OAuth app", async () => {
    server = spawn(process.execPath, [BIN, "serve", "--port", "0", "--json", "--data", dir], {
      env: { ...process.env, HLCONNECT_SECRET: SECRET, HIGHLEVEL_CLIENT_ID: "", HIGHLEVEL_CLIENT_SECRET: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      server!.stdout!.on("data", (d) => {
        out += d;
        if (out.includes("\n")) resolve(JSON.parse(out.split("\n")[0]!).serverUrl);
      });
      server!.once("exit", (code) => reject(new Error(`serve exited ${code}`)));
    });
    const r = await cli(["connections", "oauth", "--data", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`the server at ${url} has no OAuth app configured`);
    expect(r.stderr).toMatch(/set HIGHLEVEL_CLIENT_ID and HIGHLEVEL_CLIENT_SECRET/);
    expect(r.stderr).toContain(`${url}/oauth/callback`);
  }, 60_000);

  it("flows run-once of a polling flow runs what is new here, like every other flow", async () => {
    const sandbox: Sandbox = await startSandbox({ port: 0, seed: 9 });
    const data = mkdtempSync(path.join(tmpdir(), "hlc-run-once-"));
    try {
      const { engine } = await openEngine({ data }, { secret: SECRET, baseUrl: sandbox.info.baseUrl });
      await engine.addConnection(
        { id: "sb", label: "Sandbox", kind: "pit", locationIds: [sandbox.info.locationId] },
        { privateToken: sandbox.info.locationToken },
      );
      expect((await engine.saveFlow(FLOW, "tagger.yaml")).errors).toEqual([]);
      await engine.stop();
      const env = { HIGHLEVEL_BASE_URL: sandbox.info.baseUrl };
      const first = await cli(["flows", "run-once", "tagger", "--data", data], env);
      expect(first.stdout).toMatch(/^first poll of "tagger": cursor recorded/);
      const { id } = await createSandboxContact(sandbox.info, {
        firstName: "Run",
        email: "run.once@example.com",
      });
      const second = await cli(["flows", "run-once", "tagger", "--data", data], env);
      expect(second.stderr).toBe("");
      expect(second.stdout).toMatch(
        /^polled "tagger": 1 new item \(1 request\); running them here\n.* tagger {2}succeeded /,
      );
      const contact = (await (
        await fetch(`${sandbox.info.baseUrl}/contacts/${id}`, {
          headers: { Authorization: `Bearer ${sandbox.info.locationToken}`, Version: "2021-07-28" },
        })
      ).json()) as { contact: { tags: string[] } };
      expect(contact.contact.tags).toContain("new");
      const help = await cli(["flows", "run-once", "--help"]);
      expect(help.stdout).toMatch(/Every flow runs in this process/);
    } finally {
      await sandbox.close();
      rmSync(data, { recursive: true, force: true });
    }
  }, 120_000);
});
