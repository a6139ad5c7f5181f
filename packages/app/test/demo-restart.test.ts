// `hlconnect serve --demo --data DIR` killed and started again on the same DIR keeps its sandbox (in
// DIR/sandbox.db): the contacts of the first run are still there, a new contact gets a new id and its
// welcome-call task (its event is not mistaken for one seen before), and the demo contact is not made
// twice. Spawns the server twice: slow, like demo.test.ts.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "./helpers/cli.ts";
import { exited, firstLine, waitFor } from "./helpers/process.ts";

interface Start {
  serverUrl: string;
  apiToken: string;
  dataDir: string;
  sandbox: { baseUrl: string; locationId: string; locationToken: string };
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ["HLCONNECT_SECRET", "HLCONNECT_API_TOKEN", "HIGHLEVEL_BASE_URL", "HIGHLEVEL_TOKEN"])
    delete env[k];
  return env;
}

const children: ChildProcess[] = [];
const dataDir = mkdtempSync(path.join(tmpdir(), "hlc-demo-restart-"));
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

async function startDemo(): Promise<{ child: ChildProcess; start: Start }> {
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--demo", "--json", "--port", "0", "--data", dataDir],
    {
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
  const start = JSON.parse(await firstLine(child, "the demo", 25_000)) as Start;
  return { child, start };
}

function sandboxApi(sb: Start["sandbox"]) {
  const headers = { authorization: `Bearer ${sb.locationToken}`, version: "2021-07-28" };
  return {
    async create(firstName: string): Promise<string> {
      const res = await fetch(`${sb.baseUrl}/contacts/`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ locationId: sb.locationId, firstName, lastName: "Restart" }),
      });
      return ((await res.json()) as { contact: { id: string } }).contact.id;
    },
    async get(id: string): Promise<{ status: number; firstName?: string }> {
      const res = await fetch(`${sb.baseUrl}/contacts/${id}`, { headers });
      const body = (await res.json()) as { contact?: { firstName?: string } };
      return {
        status: res.status,
        ...(body.contact?.firstName ? { firstName: body.contact.firstName } : {}),
      };
    },
    async tasks(id: string): Promise<Array<{ title: string }>> {
      const res = await fetch(`${sb.baseUrl}/contacts/${id}/tasks`, { headers });
      return ((await res.json()) as { tasks?: Array<{ title: string }> }).tasks ?? [];
    },
    async byEmail(email: string): Promise<string[]> {
      const url = `${sb.baseUrl}/contacts/?locationId=${sb.locationId}&query=${encodeURIComponent(email)}`;
      const res = await fetch(url, { headers });
      const body = (await res.json()) as { contacts?: Array<{ id: string; email?: string }> };
      return (body.contacts ?? []).filter((c) => c.email === email).map((c) => c.id);
    },
  };
}

describe("hlconnect serve --demo --data DIR, restarted", () => {
  it("keeps its sandbox and contacts; new contacts get new ids and run their flow", async () => {
    const first = await startDemo();
    const sb1 = sandboxApi(first.start.sandbox);
    const nina = await sb1.create("Nina");
    await waitFor(async () => (await sb1.tasks(nina))[0], "Nina's welcome-call task");
    // The demo contact of the first run exists before the crash.
    const dana = await waitFor(
      async () => (await sb1.byEmail("dana.demo@example.com"))[0],
      "the demo contact of the first run",
    );
    expect(existsSync(path.join(dataDir, "sandbox.db"))).toBe(true);
    first.child.kill("SIGKILL");
    await exited(first.child);

    const second = await startDemo();
    expect(second.start.sandbox.locationId).toBe(first.start.sandbox.locationId);
    const sb2 = sandboxApi(second.start.sandbox);
    // The first run's contacts and their tasks are still there.
    expect(await sb2.get(nina)).toEqual({ status: 200, firstName: "Nina" });
    expect((await sb2.tasks(nina)).length).toBe(1);

    const omar = await sb2.create("Omar");
    expect([nina, dana]).not.toContain(omar);
    const task = await waitFor(async () => (await sb2.tasks(omar))[0], "Omar's welcome-call task");
    expect(task.title).toMatch(/Welcome call: Omar/);
    // The restart does not make the demo contact again (it is made 1.5 s after start when it is).
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await sb2.byEmail("dana.demo@example.com")).toEqual([dana]);
    second.child.kill("SIGKILL");
    await exited(second.child);
  }, 120_000);
});
