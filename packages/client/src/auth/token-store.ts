// Where an OAuth connection's tokens live. HighLevel refresh tokens are single-use, so the store is the
// source of truth: whoever refreshes must save the new pair before anyone uses it, and must re-read the
// store (under its lock, when it has one) before spending a refresh token that someone else may have spent.

export type UserType = "Company" | "Location";

export interface TokenSet {
  accessToken: string;
  /** Absent for minted location tokens and static tokens: they cannot be refreshed. */
  refreshToken?: string;
  /** Epoch milliseconds at which the access token stops working. */
  expiresAt: number;
  /** Granted scopes; undefined when unknown. */
  scopes?: string[];
  userType: UserType;
  companyId?: string;
  locationId?: string;
  userId?: string;
}

export interface TokenStore {
  load(connectionId: string): Promise<TokenSet | undefined>;
  /** The persistence hook: awaited before a refreshed access token is handed to anyone. */
  save(connectionId: string, tokens: TokenSet): Promise<void>;
  /**
   * Run fn while holding an exclusive lock on the connection. Stores shared between processes
   * (SQLite, Postgres) implement it so that only one process refreshes at a time.
   */
  withLock?<T>(connectionId: string, fn: () => Promise<T>): Promise<T>;
}

function copy(tokens: TokenSet): TokenSet {
  return { ...tokens, ...(tokens.scopes ? { scopes: [...tokens.scopes] } : {}) };
}

/** In-process store. Its lock serialises credentials objects of one process that share it. */
export class MemoryTokenStore implements TokenStore {
  readonly #tokens = new Map<string, TokenSet>();
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(initial?: Record<string, TokenSet>) {
    for (const [id, tokens] of Object.entries(initial ?? {})) this.#tokens.set(id, copy(tokens));
  }

  async load(connectionId: string): Promise<TokenSet | undefined> {
    const tokens = this.#tokens.get(connectionId);
    // Copies, so a caller mutating its object cannot change what the store holds.
    return tokens ? copy(tokens) : undefined;
  }

  async save(connectionId: string, tokens: TokenSet): Promise<void> {
    this.#tokens.set(connectionId, copy(tokens));
  }

  async withLock<T>(connectionId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(connectionId) ?? Promise.resolve();
    const run = previous.then(() => fn());
    // The chain must survive a rejected fn, or the next waiter would never run.
    const tail = run.catch(() => undefined);
    this.#locks.set(connectionId, tail);
    try {
      return await run;
    } finally {
      if (this.#locks.get(connectionId) === tail) this.#locks.delete(connectionId);
    }
  }
}
