// The CLI's start and its answers to mistakes: the top-level help without loading any command group
// (its summaries are the groups' own descriptions), --version, the Node version check, the closest
// names for unknown commands, options and values, and a closed pipe that ends the output quietly.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import pkg from "../package.json" with { type: "json" };
import { GROUPS, SUMMARIES } from "../src/cli/main.ts";
import { BIN, runCli } from "./helpers/cli.ts";

const cli = (args: string[], nodeArgs: string[] = []) => runCli(args, {}, nodeArgs);

describe("hlconnect start-up", () => {
  it("the top-level help's summaries are the groups' own descriptions", async () => {
    for (const [name, load] of Object.entries(GROUPS)) {
      const program = new Command();
      (await load())(program);
      const registered = program.commands.find((c) => c.name() === name);
      expect(registered, name).toBeDefined();
      if (SUMMARIES[name] !== undefined) expect(SUMMARIES[name], name).toBe(registered!.description());
    }
  });

  it("--help lists every group; --version prints the package's version", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    for (const name of Object.keys(GROUPS)) expect(help.stdout).toMatch(new RegExp(`^ {2}${name}\\b`, "m"));
    const version = await cli(["--version"]);
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it("an older Node is told which version is needed before anything else runs", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hlc-node-"));
    const preload = path.join(dir, "old-node.mjs");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      preload,
      'Object.defineProperty(process, "versions", { value: { ...process.versions, node: "18.2.0" } });\n' +
        'Object.defineProperty(process, "version", { value: "v18.2.0" });\n',
    );
    const r = await cli(["ops", "list"], ["--import", preload]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `hlconnect: needs Node.js ${pkg.engines.node} (this is v18.2.0): install Node 20.19 or newer\n`,
    );
  });

  it("unknown commands and options name the closest ones", async () => {
    const command = await cli(["opz", "list"]);
    expect(command.code).toBe(1);
    expect(command.stderr).toMatch(/unknown command 'opz'\n\(Did you mean ops\?\)/);
    const sub = await cli(["ops", "lst"]);
    expect(sub.stderr).toMatch(/unknown command 'lst'\n\(Did you mean list\?\)/);
    const option = await cli(["ops", "list", "--catgory", "Contacts"]);
    expect(option.code).toBe(1);
    expect(option.stderr).toMatch(/unknown option '--catgory'\n\(Did you mean --category\?\)/);
  });

  it("list filters with an unknown value name the known ones and exit 2", async () => {
    const category = await cli(["ops", "list", "--category", "nope"]);
    expect(category.code).toBe(2);
    expect(category.stdout).toBe("");
    expect(category.stderr).toMatch(/unknown --category "nope"; known: Contacts, .*Calendars & Appointments/);
    const close = await cli(["ops", "list", "--category", "contact"]);
    expect(close.stderr).toMatch(/did you mean "Contacts"\?/);
    const kind = await cli(["ops", "list", "--kind", "actions"]);
    expect(kind.stderr).toMatch(/unknown --kind "actions"; did you mean "action"\?; known: trigger, action/);
    const service = await cli(["api", "list", "--service", "nope"]);
    expect(service.code).toBe(2);
    expect(service.stderr).toMatch(/unknown --service "nope"; known: .*contacts/);
    const ok = await cli(["ops", "list", "--json", "--category", "contacts"]);
    expect(JSON.parse(ok.stdout).length).toBeGreaterThan(5);
  });

  it("a reader that closes the pipe early ends the listing quietly", async () => {
    const child = spawn(process.execPath, [BIN, "api", "list"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    // Like `| head -1`: read the first chunk, then close the pipe.
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
