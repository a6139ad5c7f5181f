// Who may call /api/: a script with `Authorization: Bearer <API token>`, or a browser signed in with
// the session cookie. Token comparisons hash both sides first, so they take the same time whatever
// the lengths and wherever the first difference is. A cookie-authenticated request that changes
// something must also pass the CSRF check (csrf.ts); a bearer token cannot be sent by another site,
// so it needs none.
import type { Context, MiddlewareHandler } from "hono";
import { csrfCheck } from "./csrf.ts";
import { errorBody } from "./http-errors.ts";
import { type SessionStore, sameSecret } from "./session.ts";

export function bearerAuth(apiToken: string): MiddlewareHandler {
  return apiAuth(apiToken);
}

/** Whether a request carries the API token or a live session cookie (for details a read may add). */
export function isApiCaller(apiToken: string, sessions?: SessionStore): (c: Context) => boolean {
  return (c) => {
    const match = /^Bearer\s+(.+)$/i.exec((c.req.header("authorization") ?? "").trim());
    if (match) return sameSecret(match[1]!, apiToken);
    return sessions?.fromRequest(c) !== undefined;
  };
}

/** Bearer token, else (when `sessions` is given) a live session cookie plus CSRF on state changes. */
export function apiAuth(apiToken: string, sessions?: SessionStore): MiddlewareHandler {
  if (!apiToken) throw new Error("the API token must not be empty");
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match && sameSecret(match[1]!, apiToken)) return next();
    if (!header) {
      const session = sessions?.fromRequest(c);
      if (session) {
        const refused = csrfCheck(c, session);
        if (refused) return refused;
        c.set("session" as never, session as never);
        return next();
      }
    }
    c.header("WWW-Authenticate", 'Bearer realm="hlconnect"');
    return c.json(
      errorBody(
        match
          ? "the API token is not valid"
          : header
            ? "missing API token: send `Authorization: Bearer $HLCONNECT_API_TOKEN`"
            : "sign in first (POST /api/session), or send `Authorization: Bearer $HLCONNECT_API_TOKEN`",
      ),
      401,
    );
  };
}
