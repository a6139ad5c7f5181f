// Browser sessions. Signing in with the API token gives a random session id (kept only in this
// process's memory: a restart signs everyone out, which is fine for a single-user server) and a CSRF
// token the page sends back on every state-changing request. The cookie is HttpOnly and
// SameSite=Strict, so scripts cannot read it and other sites cannot make the browser send it.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

export const SESSION_COOKIE = "hlconnect_session";
/** A session unused this long is gone. */
const IDLE_MS = 12 * 3_600_000;
/** And none lives longer than this, used or not. */
const MAX_AGE_MS = 7 * 86_400_000;
/** Beyond this, the oldest sessions are dropped (nobody needs more; an attacker cannot fill memory). */
const MAX_SESSIONS = 1000;

export interface Session {
  id: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
}

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  create(): Session {
    const now = this.#now();
    const session = { id: token(), csrfToken: token(), createdAt: now, lastSeenAt: now };
    this.#sessions.set(session.id, session);
    while (this.#sessions.size > MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next().value as string;
      this.#sessions.delete(oldest);
    }
    return session;
  }

  /** The live session of this id (its idle clock restarted), or undefined. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    const now = this.#now();
    if (now - session.lastSeenAt > IDLE_MS || now - session.createdAt > MAX_AGE_MS) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.lastSeenAt = now;
    return session;
  }

  delete(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }

  /** The session the request's cookie names, if it is live. */
  fromRequest(c: Context): Session | undefined {
    return this.get(getCookie(c, SESSION_COOKIE));
  }
}

export function setSessionCookie(c: Context, session: Session): void {
  setCookie(c, SESSION_COOKIE, session.id, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    secure: overHttps(c),
    maxAge: Math.floor(MAX_AGE_MS / 1000),
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "Strict", secure: overHttps(c) });
}

/** Equal strings, compared in constant time whatever their lengths. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function overHttps(c: Context): boolean {
  // Behind a TLS-terminating proxy the request reaches us as http; the proxy says what the browser used.
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
}

function token(): string {
  return randomBytes(32).toString("base64url");
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
