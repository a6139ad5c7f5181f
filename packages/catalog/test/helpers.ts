import { HighLevelClient } from "@hlconnect/client";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { createContext } from "../src/runtime.ts";
import type { CatalogContext } from "../src/types.ts";

export interface Harness {
  sandbox: Sandbox;
  ctx: CatalogContext;
  client: HighLevelClient;
  /** The same location, through the agency token: for operations only an agency token may call. */
  agencyCtx: CatalogContext;
}

/** A fresh sandbox (no rate limit worth hitting) and a catalog context connected to it. */
export async function startHarness(seed = 1): Promise<Harness> {
  const sandbox = await startSandbox({ port: 0, seed, rateLimit: { max: 100_000, windowMs: 1000 } });
  // BatchData actions read their API from the environment: point them at the sandbox's emulation.
  process.env.BATCHDATA_BASE_URL = `${sandbox.info.baseUrl}/batchdata`;
  process.env.BATCHDATA_TOKEN = sandbox.info.batchDataToken;
  const client = new HighLevelClient({
    credentials: sandbox.info.locationToken,
    baseUrl: sandbox.info.baseUrl,
    locationId: sandbox.info.locationId,
    companyId: sandbox.info.companyId,
  });
  const agencyClient = new HighLevelClient({
    credentials: sandbox.info.agencyToken,
    baseUrl: sandbox.info.baseUrl,
    companyId: sandbox.info.companyId,
  });
  const agencyCtx = createContext({ client: agencyClient, locationId: sandbox.info.locationId });
  return { sandbox, client, ctx: createContext({ client }), agencyCtx };
}
