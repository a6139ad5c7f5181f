// Refuse, before any request is sent, an operation the connection's token cannot perform: HighLevel would
// only answer 401/403 after spending rate-limit budget, with a less helpful message.
import { HighLevelError } from "../errors.ts";
import type { OperationSpec } from "../operation.ts";
import type { CredentialsInfo } from "./credentials.ts";

export type AccessCheckedOperation = Pick<OperationSpec, "key" | "operationId" | "scopes" | "security">;

const TOKEN_NAME = {
  location: "a location (sub-account) token",
  agency: "an agency (company) token",
} as const;

/**
 * Throws WRONG_TOKEN_TYPE or MISSING_SCOPE; returns when the operation may be attempted.
 *
 * Scopes are matched exactly: `contacts.write` does NOT satisfy `contacts.readonly`. Neither the vendored
 * spec nor its README documents that a write scope implies the readonly one (no operation lists both, and
 * the docs present them as separate grants), so assuming it could let through a request HighLevel refuses.
 * All of op.scopes are required; every v2 operation declares at most one, so this matches the spec either way.
 */
export function checkAccess(
  op: AccessCheckedOperation,
  info: Pick<CredentialsInfo, "kind" | "scopes">,
): void {
  if (op.security === "none") return;
  if ((op.security === "location" || op.security === "agency") && op.security !== info.kind) {
    const hint =
      op.security === "location"
        ? "mint one for the location from the agency connection (LocationTokenMinter) or connect the sub-account"
        : "connect the app at agency level (user_type Company) or use an agency Private Integration Token";
    throw new HighLevelError(
      `${op.key} needs ${TOKEN_NAME[op.security]}, but this connection has ${TOKEN_NAME[info.kind]}; ${hint}`,
      { code: "WRONG_TOKEN_TYPE", operationId: op.operationId, retryable: false },
    );
  }
  if (info.scopes === undefined) return; // unknown grants: let HighLevel decide
  const granted = new Set(info.scopes);
  const missing = op.scopes.filter((scope) => !granted.has(scope));
  if (missing.length) {
    const list = missing.join(", ");
    throw new HighLevelError(
      `${op.key} needs the scope${missing.length > 1 ? "s" : ""} ${list}, which this connection was not ` +
        `granted; add ${missing.length > 1 ? "them" : "it"} to the app (or Private Integration Token) and reconnect`,
      { code: "MISSING_SCOPE", operationId: op.operationId, retryable: false, messages: missing },
    );
  }
}
