// Signing in from the browser: POST /api/session {token} (the API token), GET /login?token=... (the
// demo's one-click link), GET /api/session (who am I, and the CSRF token the page must send back),
// DELETE /api/session (sign out). A refused sign-in says only that it was refused; attempts are limited
// per client address (the proxy's X-Forwarded-For with HLCONNECT_TRUST_PROXY) so the token cannot be
// guessed through here.
import { type Context, Hono } from "hono";
import { APP_VERSION } from "../../version.ts";
import { clientAddress, TRUST_PROXY_ENV, trustedProxiesFrom } from "../client-address.ts";
import { csrfCheck } from "../csrf.ts";
import { errorBody, readJsonObject } from "../http-errors.ts";
import { RateLimiter } from "../rate-limit.ts";
import {
  clearSessionCookie,
  type Session,
  type SessionStore,
  sameSecret,
  setSessionCookie,
} from "../session.ts";

export interface SessionRouteOptions {
  apiToken: string;
  sessions: SessionStore;
  /** Demo mode: the sandbox the page shows a banner for. */
  sandbox?: { baseUrl: string; locationId: string };
  /** Failed sign-in attempts allowed per address per minute (default 10). */
  attemptsPerMinute?: number;
  /**
   * Which peers' X-Forwarded-For names the client (HLCONNECT_TRUST_PROXY's syntax; default: that
   * variable). Without it every client behind a reverse proxy would share the proxy's limit.
   */
  trustProxy?: string;
  now?: () => number;
}

const REFUSED = "sign-in refused";

export function sessionRoutes(options: SessionRouteOptions): { api: Hono; login: Hono } {
  const { sessions, apiToken } = options;
  const limiter = new RateLimiter(options.attemptsPerMinute ?? 10, 60_000, options.now);
  // Read when the server is built, so a wrong value stops `serve` at start, naming the entry.
  const trusted = trustedProxiesFrom(options.trustProxy ?? process.env[TRUST_PROXY_ENV]);

  /** The outcome of one attempt: signed in (cookie set), refused, or too many attempts. */
  const attempt = (c: Context, token: unknown): Session | "refused" | "limited" => {
    const address = clientAddress(c, trusted);
    if (limiter.blocked(address)) return "limited";
    if (typeof token !== "string" || !token || !sameSecret(token, apiToken)) {
      limiter.fail(address);
      return "refused";
    }
    const session = sessions.create();
    setSessionCookie(c, session);
    return session;
  };

  const api = new Hono();
  api.post("/", async (c) => {
    const body = await readJsonObject(c);
    const outcome = attempt(c, body.token);
    if (outcome === "limited") {
      c.header("Retry-After", String(limiter.retryAfterS(clientAddress(c, trusted))));
      return c.json(errorBody("too many sign-in attempts: wait a minute and try again"), 429);
    }
    if (outcome === "refused") return c.json(errorBody(REFUSED), 401);
    return c.json({ csrfToken: outcome.csrfToken });
  });

  api.get("/", (c) => {
    const header = c.req.header("authorization");
    const bearer = header ? /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] : undefined;
    const session = sessions.fromRequest(c);
    if (!session && !(bearer && sameSecret(bearer, apiToken))) {
      return c.json(errorBody("not signed in"), 401);
    }
    return c.json({
      signedIn: true,
      ...(session ? { csrfToken: session.csrfToken } : {}),
      demo: Boolean(options.sandbox),
      ...(options.sandbox ? { sandbox: options.sandbox } : {}),
      version: APP_VERSION,
    });
  });

  api.delete("/", (c) => {
    const session = sessions.fromRequest(c);
    if (session) {
      const refused = csrfCheck(c, session);
      if (refused) return refused;
      sessions.delete(session.id);
    }
    clearSessionCookie(c);
    return c.body(null, 204);
  });

  const login = new Hono();
  login.get("/", (c) => {
    const outcome = attempt(c, c.req.query("token"));
    // The redirect drops the token from the address bar and the history.
    if (typeof outcome === "object") return c.redirect("/", 302);
    return c.redirect(`/#/signin?error=${outcome === "limited" ? "rate-limited" : "1"}`, 302);
  });

  return { api, login };
}
