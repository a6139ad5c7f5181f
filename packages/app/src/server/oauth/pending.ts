// Authorizations started by GET /oauth/start and not yet finished. The random `state` sent to HighLevel
// is the only credential the callback gets, so each is single-use and expires. Kept in memory: the
// embedded server is one process, and an authorization cut short by a restart is simply started again.
import { randomBytes } from "node:crypto";
import type { UserType } from "@hlconnect/client";

export const PENDING_TTL_MS = 10 * 60_000;
/** Starts are authenticated, but a runaway script must not grow the map without bound. */
const MAX_PENDING = 1_000;

export interface PendingInput {
  userType: UserType;
  whiteLabel: boolean;
  /** The redirect_uri sent to HighLevel: the code exchange must repeat it. */
  redirectUri: string;
  label?: string;
  reconnectId?: string;
}

export interface PendingAuthorization extends PendingInput {
  state: string;
  createdAt: number;
  expiresAt: number;
}

export type TakeResult =
  | { ok: true; pending: PendingAuthorization }
  | { ok: false; reason: "unknown" | "expired" | "used" };

export class PendingAuthorizations {
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #pending = new Map<string, PendingAuthorization>();
  /** States (and start-link nonces) already used, kept until well after they would have expired. */
  readonly #used = new Map<string, number>();

  constructor(options: { now?: () => number; ttlMs?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.ttlMs ?? PENDING_TTL_MS;
  }

  create(input: PendingInput): PendingAuthorization {
    this.#prune();
    if (this.#pending.size >= MAX_PENDING) {
      // The oldest one goes: it is the most likely to have been abandoned.
      const oldest = this.#pending.keys().next().value;
      if (oldest !== undefined) this.#pending.delete(oldest);
    }
    const createdAt = this.#now();
    const pending: PendingAuthorization = {
      ...input,
      state: randomBytes(24).toString("base64url"),
      createdAt,
      expiresAt: createdAt + this.#ttlMs,
    };
    this.#pending.set(pending.state, pending);
    return pending;
  }

  /** The authorization a callback's state names, at most once. */
  take(state: string): TakeResult {
    if (this.#used.has(`state:${state}`)) return { ok: false, reason: "used" };
    const pending = this.#pending.get(state);
    if (!pending) return { ok: false, reason: "unknown" };
    this.#pending.delete(state);
    this.#markUsed(`state:${state}`, pending.expiresAt);
    if (pending.expiresAt <= this.#now()) return { ok: false, reason: "expired" };
    return { ok: true, pending };
  }

  /** True the first time a one-time start link's nonce is presented. */
  claimNonce(nonce: string, expiresAt: number): boolean {
    this.#prune();
    const key = `nonce:${nonce}`;
    if (this.#used.has(key)) return false;
    this.#markUsed(key, expiresAt);
    return true;
  }

  #markUsed(key: string, expiresAt: number): void {
    // Remembered for a second lifetime, so a late replay still hears "already used".
    this.#used.set(key, expiresAt + this.#ttlMs);
  }

  #prune(): void {
    const now = this.#now();
    for (const [state, p] of this.#pending) if (p.expiresAt + this.#ttlMs <= now) this.#pending.delete(state);
    for (const [key, until] of this.#used) if (until <= now) this.#used.delete(key);
  }
}
