// CSRF protection for cookie sessions. SameSite=Strict already keeps other sites' requests from
// carrying the cookie; on top of that every state-changing request must echo the session's CSRF token
// in a header, which a cross-site form or a simple fetch cannot set.
import type { Context } from "hono";
import { errorBody } from "./http-errors.ts";
import { type Session, sameSecret } from "./session.ts";

export const CSRF_HEADER = "x-csrf-token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** undefined when the request may go on; otherwise the 403 to answer. */
export function csrfCheck(c: Context, session: Session): Response | undefined {
  if (SAFE_METHODS.has(c.req.method)) return undefined;
  const given = c.req.header(CSRF_HEADER);
  if (given && sameSecret(given, session.csrfToken)) return undefined;
  return c.json(errorBody("missing or wrong CSRF token"), 403);
}
