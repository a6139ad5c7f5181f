// Issue 14, end to end: `hlconnect serve` binds its port before it loads the engine. Whatever moment a
// request arrives, /healthz says "starting" (503) or "ok" (200) and never goes back to starting, a
// webhook delivery is answered 429 (to be delivered again) or handled, never a 500 or 503, and once the JSON
// line is out the server is ready. How many "starting" answers a run sees depends on the machine; the
// answers themselves must hold whenever they come (the in-process test checks the starting state).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "./helpers/cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "hlconnect-serve-startup-"));
let server: ChildProcess | undefined;

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => server!.once("exit", r));
  }
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("serve while it starts", () => {
  it("answers starting or ok on /healthz, and 503 or a real answer to webhooks, never a 500", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [BIN, "serve", "--port", String(port), "--json", "--data", dir], {
      env: {
        ...process.env,
        HLCONNECT_SECRET: "serve-startup-secret-0123456789",
        HLCONNECT_API_TOKEN: "tok-123",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let line: string | undefined;
    let out = "";
    server.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("\n")) line ??= out.split("\n")[0];
    });
    const exited = new Promise<never>((_, reject) =>
      server!.once("exit", (code) => reject(new Error(`serve exited ${code}`))),
    );
    exited.catch(() => {});

    const seen: string[] = [];
    for (;;) {
      const printed = line !== undefined;
      const res = await Promise.race([fetch(`${base}/healthz`).catch(() => undefined), exited]);
      if (!res) {
        expect(printed, "the JSON line comes only once the port answers").toBe(false);
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      const body = (await res.json()) as { ok: boolean; status: string };
      if (res.status === 503) {
        expect(body).toEqual({ ok: false, status: "starting" });
        expect(res.headers.get("retry-after")).toBe("1");
        expect(printed, "not starting any more once the JSON line is out").toBe(false);
        expect(seen, "never starting again after ok").not.toContain("ok");
        seen.push("starting");
        const hook = await fetch(`${base}/hooks/no-such-flow?secret=s`, { method: "POST", body: "{}" });
        // Starting: 429 to deliver again; or, if the server became ready in between, the hook's own answer.
        expect([401, 404, 429]).toContain(hook.status);
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      expect(res.status).toBe(200);
      expect(body).toMatchObject({ ok: true, status: "ok" });
      seen.push("ok");
      break;
    }
    // Ready: the first requests to the parts loaded on demand answer.
    const auth = { authorization: "Bearer tok-123" };
    const triggers = await fetch(`${base}/api/catalog?kind=trigger`, { headers: auth });
    expect(triggers.status).toBe(200);
    const key = ((await triggers.json()) as { entries: Array<{ key: string }> }).entries[0]!.key;
    expect((await fetch(`${base}/api/catalog/${encodeURIComponent(key)}`, { headers: auth })).status).toBe(
      200,
    );
    expect(await (await fetch(`${base}/api/imports`, { headers: auth })).json()).toEqual({ imports: [] });
    expect((await fetch(`${base}/api/openapi.json`)).status).toBe(200);
    const empty = await fetch(`${base}/api/imports?dryRun=1`, { method: "POST", headers: auth, body: "" });
    expect(empty.status).toBe(400);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    // Counted under the module's own route pattern, as when it was mounted at start.
    expect(metrics).toContain(
      'hlconnect_http_requests_total{method="POST",route="/api/imports",status="400"} 1',
    );
  });
});
