// Which scopes a token holds, for tokens that do not say: a Private Integration Token carries the
// scopes ticked when it was made, and HighLevel offers no call that lists them. OAuth tokens report
// theirs in the token answer; for the others each scope is probed with one request that needs it and
// cannot change anything (a read, or a write aimed at an id that does not exist). HighLevel checks
// the scope before it looks at the id or the body (the sandbox does the same), so a 401 "not
// authorized for this scope" means missing and any other answer means held.
import { type HighLevelClient, HighLevelError, OPERATIONS, type OperationSpec } from "@hlconnect/client";

/** An id no HighLevel record has: a write aimed at it changes nothing. */
const NO_SUCH_ID = "hlconnectScopeProbe0000";

export interface ScopeProbeResult {
  granted: string[];
  missing: string[];
  /** Scopes no harmless request could be found for, or whose probe failed for another reason. */
  unknown: Array<{ scope: string; reason: string }>;
  requests: number;
}

const isRead = (op: OperationSpec) => op.method === "GET";

/** Path parameters other than the location's: filled with an id that does not exist. */
const idParams = (op: OperationSpec) =>
  op.parameters.filter((p) => p.in === "path" && !/^location_?id$/i.test(p.name));

const LOCATION_PARAM = /^(location_?id|altId)$/i;

/** The request that shows whether a token holds `scope` without changing anything, if there is one. */
export function probeFor(scope: string): OperationSpec | undefined {
  const usable = OPERATIONS.filter(
    (op) =>
      op.scopes.includes(scope) &&
      !op.deprecated &&
      op.security !== "agency" &&
      op.security !== "none" &&
      // Every required query parameter must be one the probe can fill (the location).
      op.parameters.every((p) => !p.required || p.in === "path" || LOCATION_PARAM.test(p.name)),
  );
  // Reads first; then writes that name a record by id (the id does not exist, so nothing changes).
  // A write without an id could create something, so it is never a probe.
  const reads = usable.filter(isRead);
  const writesById = usable.filter((op) => !isRead(op) && idParams(op).length > 0);
  const byFewestParams = (a: OperationSpec, b: OperationSpec) => a.parameters.length - b.parameters.length;
  return reads.sort(byFewestParams)[0] ?? writesById.sort(byFewestParams)[0];
}

function probeParams(op: OperationSpec, locationId: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const p of op.parameters) {
    if (LOCATION_PARAM.test(p.name) && (p.required || p.in === "path")) params[p.name] = locationId;
    else if (p.in === "path") params[p.name] = NO_SUCH_ID;
  }
  return params;
}

function isMissingScope(err: unknown): boolean {
  return (
    err instanceof HighLevelError &&
    err.status === 401 &&
    /scope|not authorized/i.test([err.message, ...(err.messages ?? [])].join(" "))
  );
}

/** Probe each scope once (in parallel, through the client's rate limiter). */
export async function probeScopes(
  client: HighLevelClient,
  locationId: string,
  scopes: string[],
): Promise<ScopeProbeResult> {
  const result: ScopeProbeResult = { granted: [], missing: [], unknown: [], requests: 0 };
  await Promise.all(
    [...new Set(scopes)].map(async (scope) => {
      const op = probeFor(scope);
      if (!op) {
        result.unknown.push({ scope, reason: "no request can test it without changing data" });
        return;
      }
      result.requests++;
      try {
        await client.callByKey(op.key, probeParams(op, locationId), op.body ? {} : undefined, {
          timeoutMs: 15_000,
        });
        result.granted.push(scope);
      } catch (err) {
        if (isMissingScope(err)) result.missing.push(scope);
        else if (err instanceof HighLevelError && err.status === 401)
          throw err; // the token itself is bad
        else if (
          err instanceof HighLevelError &&
          err.status !== undefined &&
          err.status < 500 &&
          err.status !== 403
        )
          result.granted.push(scope); // past the scope check: the id or body was refused, as intended
        else result.unknown.push({ scope, reason: err instanceof Error ? err.message : String(err) });
      }
    }),
  );
  result.granted.sort();
  result.missing.sort();
  return result;
}
