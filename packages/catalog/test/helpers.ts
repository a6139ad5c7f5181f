import { HighLevelClient } from "@hlconnect/client";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { createContext } from "../src/runtime.ts";
import type { CatalogContext } from "../src/types.ts";

export interface Harness {
  sandbox: Sandbox;
  ctx: CatalogContext;
  client: HighLevelClient;
}

/** A fresh sandbox (no rate limit worth hitting) and a catalog context connected to it. */
export async function startHarness(seed = 1): Promise<Harness> {
  const sandbox = await startSandbox({ port: 0, seed, rateLimit: { max: 100_000, windowMs: 1000 } });
  const client = new HighLevelClient({
    credentials: sandbox.info.locationToken,
    baseUrl: sandbox.info.baseUrl,
    locationId: sandbox.info.locationId,
    companyId: sandbox.info.companyId,
  });
  return { sandbox, client, ctx: createContext({ client }) };
}
