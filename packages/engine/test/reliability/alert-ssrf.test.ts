// Alert webhooks are user-given URLs: they go through the outbound guard, so a private address is
// not posted to unless the operator allowed it, and the refusal is logged.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../../src/engine.ts";
import type { Logger } from "../../src/logger.ts";

let listener: Server;
let url: string;
let hits = 0;
const saved = process.env.HLCONNECT_ALLOW_PRIVATE_URLS;
beforeAll(async () => {
  listener = createServer((_req, res) => {
    hits++;
    res.end("ok");
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/alert`;
});
afterAll(() => new Promise((r) => listener.close(r)));
afterEach(() => {
  if (saved === undefined) delete process.env.HLCONNECT_ALLOW_PRIVATE_URLS;
  else process.env.HLCONNECT_ALLOW_PRIVATE_URLS = saved;
});

async function alertOnce(): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "hlconnect-alert-"));
  const warnings: string[] = [];
  const quiet = () => {};
  const logger = {
    info: quiet,
    debug: quiet,
    error: quiet,
    warn: (o: unknown, m?: string) => warnings.push(`${m} ${JSON.stringify(o)}`),
  } as unknown as Logger;
  const engine = await Engine.open({
    dataDir: dir,
    secret: "an-alert-test-passphrase",
    logger,
    alertWebhook: url,
  });
  try {
    const flow = await engine.store.saveFlow({ id: "f", name: "f", source: "id: f" });
    const { run } = await engine.store.createRun({ flowId: flow.id, trigger: {} });
    await engine.env.alert(run, "failed", { message: "boom" });
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return warnings;
}

describe("alert webhooks", () => {
  it("are not posted to a private address by default; the refusal is logged", async () => {
    delete process.env.HLCONNECT_ALLOW_PRIVATE_URLS;
    const before = hits;
    const warnings = await alertOnce();
    expect(hits).toBe(before);
    expect(warnings.join("\n")).toMatch(/refused to reach 127\.0\.0\.1/);
  });

  it("are posted when the operator allows the address", async () => {
    process.env.HLCONNECT_ALLOW_PRIVATE_URLS = "127.0.0.0/8";
    const before = hits;
    await alertOnce();
    expect(hits).toBe(before + 1);
  });
});
