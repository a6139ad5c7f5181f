// `hlconnect doctor --live`: a flow whose connection lacks a scope fails with the flow and scope named;
// the public URL is checked at its /healthz; an unreachable one fails with the fix.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Engine } from "@hlconnect/engine/engine";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const SECRET = "doctor-live-test-passphrase";

interface Check {
  level: string;
  what: string;
  detail: string;
  fix?: string;
}

describe("doctor --live", () => {
  let sandbox: Sandbox;
  let dataDir: string;
  let health: Server;
  let healthUrl: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    dataDir = mkdtempSync(path.join(tmpdir(), "hlc-doctor-"));
    const engine = await Engine.open({ dataDir, secret: SECRET, baseUrl: sandbox.info.baseUrl });
    const file = path.join(ROOT, "examples/flows/welcome-call-task.yaml");
    expect((await engine.saveFlow(readFileSync(file, "utf8"), file)).errors).toEqual([]);
    await engine.addConnection(
      { label: "read-only", kind: "pit", locationIds: [sandbox.info.locationId] },
      { privateToken: sandbox.createToken({ scopes: ["contacts.readonly", "locations.readonly"] }) },
    );
    await engine.stop();
    health = createServer((req, res) => res.writeHead(req.url === "/healthz" ? 200 : 404).end("{}"));
    await new Promise<void>((r) => health.listen(0, "127.0.0.1", r));
    healthUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await sandbox.close();
    await new Promise((r) => health.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const doctor = async (publicUrl: string) => {
    const env = {
      HLCONNECT_SECRET: SECRET,
      HIGHLEVEL_BASE_URL: sandbox.info.baseUrl,
      HLCONNECT_PUBLIC_URL: publicUrl,
    };
    const result = await runCli(["doctor", "--live", "--json", "--data", dataDir], env);
    return { checks: JSON.parse(result.stdout) as Check[], code: result.code };
  };

  it("names the enabled flow and the scope its connection lacks, and passes a public URL that answers", async () => {
    const { checks, code } = await doctor(healthUrl);
    const scopes = checks.find((c) => c.what.startsWith("scopes "));
    expect(scopes).toMatchObject({ level: "fail", detail: "flow welcome-call-task needs contacts.write" });
    expect(scopes?.fix).toMatch(/Private Integrations/);
    // Reachable but plain http: a warning that HighLevel wants https.
    expect(checks.find((c) => c.what === "public URL")).toMatchObject({ level: "warn" });
    expect(checks.find((c) => c.what === "clock")?.level).toBe("ok");
    expect(checks.find((c) => c.what === "webhook key")?.level).toBe("ok");
    expect(code).toBe(1);
  });

  it("fails a public URL that does not answer, saying what to check", async () => {
    const { checks } = await doctor("http://127.0.0.1:9");
    expect(checks.find((c) => c.what === "public URL")).toMatchObject({
      level: "fail",
      detail: expect.stringContaining("does not answer"),
    });
  });
});
