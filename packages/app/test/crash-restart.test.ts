// The acceptance test: a process KILLED in the middle of a run (after step 1, before step 2)
// and started again on the same data finishes the run, and the sandbox saw each step's call exactly
// once. The sandbox runs as its own process (with a state file) so it outlives the killed server; the
// test hook HLCONNECT_TEST_PAUSE_AFTER_STEP holds the run right after step 1, so the kill lands
// exactly there every time.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "./helpers/cli.ts";
import { exited, firstLine, waitFor } from "./helpers/process.ts";

const execFileAsync = promisify(execFile);

const FLOW = `id: crash-lead
name: Lead to contact and note
trigger:
  webhook: {}
steps:
  - id: contact
    op: highlevel.contacts.upsert
    input:
      firstName: "{{ trigger.name }}"
      email: "{{ trigger.email }}"
  - id: note
    op: highlevel.contacts.notes.create
    input:
      contactId: "{{ steps.contact.output.contact.id }}"
      body: "Lead received by the crash test"
`;

const children: ChildProcess[] = [];

function start(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; first: Promise<unknown> } {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  // Both the sandbox and the server print one JSON line once they listen.
  const first = firstLine(child, `hlconnect ${args[0]}`).then((line) => JSON.parse(line) as unknown);
  return { child, first };
}

describe("a run interrupted by a killed process", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hlconnect-crash-"));
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await Promise.all(children.map(exited));
    rmSync(dir, { recursive: true, force: true });
  });

  it("finishes after a restart with every step done exactly once", async () => {
    const flowsDir = path.join(dir, "flows");
    mkdirSync(flowsDir);
    writeFileSync(path.join(flowsDir, "crash-lead.yaml"), FLOW);
    const dataDir = path.join(dir, "data");

    const sandbox = start(
      ["sandbox", "--json", "--port", "0", "--db", path.join(dir, "sandbox.db")],
      process.env,
    );
    const sb = (await sandbox.first) as { baseUrl: string; locationId: string; locationToken: string };
    const requests = async (operationId: string) => {
      const res = await fetch(`${sb.baseUrl}/__sandbox/requests`);
      const body = (await res.json()) as { requests: Array<{ operationId: string | null; status: number }> };
      return body.requests.filter((r) => r.operationId === operationId).length;
    };

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HLCONNECT_SECRET: "crash-test-passphrase-of-some-length",
      HLCONNECT_API_TOKEN: "crash-test-api-token",
      HIGHLEVEL_BASE_URL: sb.baseUrl,
      // A killed worker's hold on its run runs out after 1.5 s instead of a minute.
      HLCONNECT_JOB_LEASE_MS: "1500",
    };
    const auth = { authorization: "Bearer crash-test-api-token" };
    await execFileAsync(
      process.execPath,
      [
        BIN,
        "connections",
        "add",
        "--token",
        sb.locationToken,
        "--location",
        sb.locationId,
        "--data",
        dataDir,
      ],
      { env },
    );

    // First life: the run stops for good right after step "contact".
    const first = start(["serve", "--json", "--port", "0", "--data", dataDir, "--flows", flowsDir], {
      ...env,
      HLCONNECT_TEST_PAUSE_AFTER_STEP: "contact",
    });
    const one = (await first.first) as { serverUrl: string };
    const flow = (await (await fetch(`${one.serverUrl}/api/flows/crash-lead`, { headers: auth })).json()) as {
      flow: { hook: { secret: string } };
    };
    const posted = await fetch(`${one.serverUrl}/hooks/crash-lead?secret=${flow.flow.hook.secret}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Carla Crash", email: "carla@example.com" }),
    });
    expect(posted.status).toBe(202);
    const runId = await waitFor(async () => {
      const res = await fetch(`${one.serverUrl}/api/runs?flowId=crash-lead`, { headers: auth });
      return ((await res.json()) as { runs: Array<{ id: string }> }).runs[0]?.id;
    }, "the run");
    await waitFor(async () => {
      const res = await fetch(`${one.serverUrl}/api/runs/${runId}`, { headers: auth });
      const body = (await res.json()) as { steps: Array<{ stepId: string; status: string }> };
      return body.steps.some((s) => s.stepId === "contact" && s.status === "succeeded") ? true : undefined;
    }, "step 1 to finish");

    first.child.kill("SIGKILL");
    expect(await exited(first.child)).toBe("SIGKILL");
    expect(await requests("upsert-contact")).toBe(1);
    expect(await requests("create-note")).toBe(0);

    // Second life, same data dir and sandbox: the run resumes after step 1.
    const second = start(["serve", "--json", "--port", "0", "--data", dataDir], env);
    const two = (await second.first) as { serverUrl: string };
    const done = await waitFor(async () => {
      const res = await fetch(`${two.serverUrl}/api/runs/${runId}`, { headers: auth });
      const body = (await res.json()) as {
        run: { status: string; attempts: number };
        steps: Array<{ stepId: string; status: string; attempts: number }>;
      };
      return ["queued", "running"].includes(body.run.status) ? undefined : body;
    }, "the resumed run to finish");

    expect(done.run.status).toBe("succeeded");
    expect(done.run.attempts).toBe(2);
    expect(done.steps.map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ["contact", "succeeded", 1],
      ["note", "succeeded", 1],
    ]);
    expect(await requests("upsert-contact")).toBe(1);
    expect(await requests("create-note")).toBe(1);

    second.child.kill("SIGTERM");
    expect(await exited(second.child)).toBe(0);
    sandbox.child.kill("SIGTERM");
    await exited(sandbox.child);
  }, 90_000);
});
