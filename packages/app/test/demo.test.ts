// `hlconnect serve --demo --json` as a new user would run it: a contact created in its sandbox gets
// its welcome-call task within seconds, and the run shows in the API and in `hlconnect runs list`.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "./helpers/cli.ts";
import { firstLine, waitFor } from "./helpers/process.ts";

const run = promisify(execFile);

/** The environment without settings that would change what the demo generates. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ["HLCONNECT_SECRET", "HLCONNECT_API_TOKEN", "HIGHLEVEL_BASE_URL", "HIGHLEVEL_TOKEN"])
    delete env[k];
  return env;
}

interface Start {
  serverUrl: string;
  apiToken: string;
  dataDir: string;
  sandbox: { baseUrl: string; locationId: string; locationToken: string };
}

describe("hlconnect serve --demo", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
  });

  it("runs the welcome-call flow for a new contact and shows the run in the API and the CLI", async () => {
    child = spawn(process.execPath, [BIN, "serve", "--demo", "--json", "--port", "0"], {
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const start = JSON.parse(await firstLine(child, "the demo", 25_000)) as Start;
    expect(start.serverUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(start.apiToken.length).toBeGreaterThan(20);
    expect(start.sandbox.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The secret it generated is kept in the data dir, readable by its owner only.
    expect(statSync(path.join(start.dataDir, "secret")).mode & 0o777).toBe(0o600);

    const sb = start.sandbox;
    const headers = { authorization: `Bearer ${sb.locationToken}`, version: "2021-07-28" };
    const created = await fetch(`${sb.baseUrl}/contacts/`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ locationId: sb.locationId, firstName: "Nina", lastName: "Newuser" }),
    });
    const contactId = ((await created.json()) as { contact: { id: string } }).contact.id;

    const task = await waitFor(async () => {
      const res = await fetch(`${sb.baseUrl}/contacts/${contactId}/tasks`, { headers });
      const body = (await res.json()) as { tasks: Array<{ title: string }> };
      return body.tasks[0];
    }, "the welcome-call task");
    expect(task.title).toMatch(/Welcome call: Nina/);

    const apiRun = await waitFor(async () => {
      const res = await fetch(`${start.serverUrl}/api/runs?flowId=welcome-call-task&status=succeeded`, {
        headers: { authorization: `Bearer ${start.apiToken}` },
      });
      const body = (await res.json()) as { runs: Array<{ id: string; trigger: { id?: string } }> };
      return body.runs.find((r) => r.trigger.id === contactId);
    }, "the run in the API");

    const cli = await run(process.execPath, [BIN, "runs", "list", "--data", start.dataDir, "--json"], {
      env: cleanEnv(),
    });
    const listed = JSON.parse(cli.stdout) as Array<{ id: string; flowId: string; status: string }>;
    expect(listed.find((r) => r.id === apiRun.id)).toMatchObject({
      flowId: "welcome-call-task",
      status: "succeeded",
    });
    const table = await run(process.execPath, [BIN, "runs", "list", "--data", start.dataDir], {
      env: cleanEnv(),
    });
    expect(table.stdout).toMatch(new RegExp(`${apiRun.id}\\s+welcome-call-task\\s+succeeded`));

    // SIGTERM stops it cleanly, and the temporary data dir goes with it.
    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(existsSync(start.dataDir)).toBe(false);
  }, 60_000);
});
