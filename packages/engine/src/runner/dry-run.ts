// Dry runs: a flow runs against a real account with its reads made (so mapping sees real data) and its
// writes held back. Each write the step would have sent is recorded (operation, method, path, body
// after mapping) and answered with the spec's sample answer, so later steps still have an output to
// map from. The step's stored output is {dryRun: true, writes, result}; later steps map from `result`.
import { type CatalogContext, getEntry } from "@hlconnect/catalog";
import {
  buildRequest,
  getOperation,
  type HighLevelClient,
  type OperationSpec,
  requestSchema,
} from "@hlconnect/client";

export interface PlannedWrite {
  /** The operation key, e.g. "create-task". */
  operation: string;
  method: string;
  /** Path and query as they would have been sent. */
  path: string;
  body?: unknown;
}

export interface DryRunOutput {
  dryRun: true;
  /** What the step would have sent, in order. */
  writes: PlannedWrite[];
  /** What the step returned with the sample answers: what later steps map from. */
  result: unknown;
}

/**
 * Reads go through: GETs, and the POST searches HighLevel offers (their body is the query). Everything
 * else, upserts included, changes the account.
 */
export function isRead(op: OperationSpec): boolean {
  return op.method === "GET" || (op.method === "POST" && /\/search(\/|$)|\/free-slots/.test(op.path));
}

/**
 * Entries that talk to another service than HighLevel's API (a post to a user's URL, BatchData's paid
 * lookups): never run in a dry run. The planned call is recorded and later steps map from the entry's
 * documented sample.
 */
export function runsOutsideHighLevel(entryKey: string): boolean {
  return entryKey === "batchleads.update.post" || entryKey.startsWith("batchdata.");
}

/** A client that sends reads and records writes; what it records goes to `writes`. */
export function dryRunClient(client: HighLevelClient, writes: PlannedWrite[]): HighLevelClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "callByKey") {
        return async (key: string, params?: Record<string, unknown>, body?: unknown, options?: unknown) => {
          const op = getOperation(key);
          if (isRead(op)) return target.callByKey(key, params, body, options as never);
          const built = buildRequest(op, params ?? {}, body, {
            baseUrl: "",
            ...(target.locationId ? { locationId: target.locationId } : {}),
            ...(target.companyId ? { companyId: target.companyId } : {}),
          });
          writes.push({
            operation: op.key,
            method: op.method,
            path: built.url,
            ...(body === undefined ? {} : { body }),
          });
          return sampleAnswer(op.key);
        };
      }
      if (prop === "forLocation") {
        return (locationId: string, credentials?: never) =>
          dryRunClient(target.forLocation(locationId, credentials), writes);
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(receiver) : value;
    },
  });
}

/** The spec's sample success answer, so an action that reads ids off its answer still returns. */
function sampleAnswer(key: string): unknown {
  const sample = requestSchema(key)?.responseSample;
  return sample === undefined || sample === null ? {} : structuredClone(sample);
}

const writesOf = new WeakMap<CatalogContext, PlannedWrite[]>();

/** A step's context for a dry run: the same context with a recording client. */
export function dryRunContext(ctx: CatalogContext): CatalogContext {
  const writes: PlannedWrite[] = [];
  const dry = { ...ctx, client: dryRunClient(ctx.client, writes) };
  writesOf.set(dry, writes);
  return dry;
}

/** Run one step's entry, dry when the context is: its output then says what would have been written. */
export async function runMaybeDry(
  ctx: CatalogContext,
  entryKey: string,
  input: Record<string, unknown>,
  run: () => Promise<unknown>,
): Promise<unknown> {
  const writes = writesOf.get(ctx);
  if (!writes) return run();
  if (runsOutsideHighLevel(entryKey)) {
    const planned: DryRunOutput = {
      dryRun: true,
      writes: [{ operation: entryKey, method: "POST", path: String(input.url ?? entryKey), body: input }],
      result: structuredClone(sampleOf(entryKey) ?? {}),
    };
    return planned;
  }
  const result = await run();
  const planned: DryRunOutput = { dryRun: true, writes: [...writes], result };
  return planned;
}

/** What later steps map from: the result inside a dry run's output, else the output itself. */
export function mappedOutput(output: unknown): unknown {
  return isDryRunOutput(output) ? output.result : output;
}

export function isDryRunOutput(output: unknown): output is DryRunOutput {
  return (
    typeof output === "object" &&
    output !== null &&
    (output as { dryRun?: unknown }).dryRun === true &&
    Array.isArray((output as { writes?: unknown }).writes)
  );
}

function sampleOf(entryKey: string): unknown {
  try {
    return getEntry(entryKey).output.sample;
  } catch {
    return undefined;
  }
}
