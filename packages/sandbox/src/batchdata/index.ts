// The services around HighLevel that BatchLeads users wire in, emulated on the sandbox's port:
// BatchData (skip trace, DNC) under /batchdata and Zapier catch hooks under /zapier/hooks/catch.
import { IdSource } from "../random.ts";
import { CatchHooks } from "./catch-hooks.ts";
import { type BatchDataOptions, BatchDataService, type ExternalAnswer } from "./service.ts";

export type { CaughtHook } from "./catch-hooks.ts";
export { BATCHDATA_PREFIX, type BatchDataOptions, type ExternalAnswer, MAX_ITEMS } from "./service.ts";

const BATCHDATA_TOKEN_STREAM = 0x6b8b4567;

export class ExternalServices {
  readonly batchData: BatchDataService;
  readonly hooks: CatchHooks;

  constructor(seed: number, now: () => number, options: BatchDataOptions = {}) {
    // Its own token, stable for the seed, unlike any HighLevel token.
    const token = `bd_${new IdSource(seed ^ BATCHDATA_TOKEN_STREAM).chars(40)}`;
    this.batchData = new BatchDataService(seed, token, now, options);
    this.hooks = new CatchHooks(now);
  }

  handle(
    method: string,
    pathname: string,
    authorization: string | undefined,
    raw: Buffer,
  ): ExternalAnswer | undefined {
    return (
      this.batchData.handle(method, pathname, authorization, raw) ?? this.hooks.handle(method, pathname, raw)
    );
  }

  reset(): void {
    this.batchData.reset();
    this.hooks.reset();
  }
}
