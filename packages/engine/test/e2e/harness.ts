// An engine wired to a fresh sandbox: a temp data dir, a PIT connection to the sandbox's location,
// and a small HTTP receiver that hands the sandbox's signed webhooks to the engine as a server would.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { Engine, type EngineOptions } from "../../src/engine.ts";
import { IngestBusyError } from "../../src/webhooks/ingest.ts";

export interface EngineHarness {
  sandbox: Sandbox;
  engine: Engine;
  dataDir: string;
  connectionId: string;
  /** Wait until the run reaches a final status. */
  settle(runId: string): Promise<import("../../src/store/types.ts").RunRecord>;
  close(): Promise<void>;
}

export const SECRET = "an-engine-test-passphrase-of-enough-length";

export async function startEngineHarness(
  options: Partial<EngineOptions> & { dataDir?: string } = {},
): Promise<EngineHarness> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), "hlconnect-engine-"));
  let engine: Engine | undefined;
  // The sandbox posts webhooks here; we forward the raw bytes and headers to the engine.
  const receiver: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      try {
        await engine?.receiveHighLevelWebhook(Buffer.concat(chunks), req.headers as Record<string, string>);
        res.writeHead(200).end();
      } catch (err) {
        // As the server answers: busy is a 429 (the sandbox delivers it again), anything else refused.
        res.writeHead(err instanceof IngestBusyError ? 429 : 401).end();
      }
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/highlevel`;
  const sandbox = await startSandbox({
    port: 0,
    seed: 11,
    webhookUrl: hookUrl,
    rateLimit: { max: 100_000, windowMs: 1000 },
  });
  engine = await Engine.open({
    dataDir,
    secret: SECRET,
    baseUrl: sandbox.info.baseUrl,
    webhookPublicKey: sandbox.info.webhookPublicKey,
    pollTickMs: 50,
    ...options,
  });
  const existing = await engine.store.listConnections();
  const connectionId =
    existing[0]?.id ??
    (
      await engine.addConnection(
        {
          label: "Demo Realty (sandbox)",
          kind: "pit",
          locationIds: [sandbox.info.locationId],
          companyId: sandbox.info.companyId,
        },
        { privateToken: sandbox.info.locationToken },
      )
    ).id;
  const e = engine;
  return {
    sandbox,
    engine: e,
    dataDir,
    connectionId,
    async settle(runId) {
      for (let i = 0; i < 400; i++) {
        const run = await e.store.getRun(runId);
        if (run && !["queued", "running"].includes(run.status)) return run;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`run ${runId} did not finish`);
    },
    async close() {
      await e.stop().catch(() => {});
      await sandbox.close();
      await new Promise((r) => receiver.close(r));
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A contact made in the sandbox directly (as HighLevel's UI would), for tests that need a real id. */
export async function createSandboxContact(
  h: EngineHarness,
  fields: Record<string, unknown>,
): Promise<string> {
  const api = h.sandbox.info;
  const r = await fetch(`${api.baseUrl}/contacts/`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${api.locationToken}`,
      version: "2021-07-28",
      "content-type": "application/json",
    },
    body: JSON.stringify({ locationId: api.locationId, ...fields }),
  });
  return ((await r.json()) as { contact: { id: string } }).contact.id;
}
