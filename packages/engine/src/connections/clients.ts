// From a stored connection to a HighLevel client for one location: Private Integration Tokens,
// OAuth connections (refresh single-flight and locked in the store) and agency connections that mint
// location tokens. One rate limiter is shared by every client of the process, so all flows of a
// location draw from the same budget.
import {
  type Credentials,
  HighLevelClient,
  HighLevelError,
  InMemoryRateLimiter,
  LocationTokenMinter,
  OAuthApp,
  OAuthCredentials,
  PrivateIntegrationToken,
  type RateLimiter,
} from "@hlconnect/client";
import type { ConnectionRecord, Store } from "../store/types.ts";

export interface ConnectionClientsOptions {
  store: Store;
  /** The HighLevel API (or the sandbox). */
  baseUrl?: string;
  limiter?: RateLimiter;
  now?: () => number;
  /** Refresh (or mint) tokens expiring within this many ms; default the client's 60 s. */
  refreshSkewMs?: number;
}

export class ConnectionClients {
  readonly limiter: RateLimiter;
  readonly #store: Store;
  readonly #baseUrl: string | undefined;
  readonly #now: (() => number) | undefined;
  readonly #skewMs: number | undefined;
  readonly #credentials = new Map<string, Promise<Credentials>>();
  readonly #minters = new Map<string, Promise<LocationTokenMinter>>();

  constructor(options: ConnectionClientsOptions) {
    this.#store = options.store;
    this.#baseUrl = options.baseUrl;
    this.#now = options.now;
    this.#skewMs = options.refreshSkewMs;
    this.limiter = options.limiter ?? new InMemoryRateLimiter();
  }

  /**
   * A client for `locationId` through the connection (its first location when none is given).
   * `fetch` replaces the transport (the web app's step test records the requests it makes).
   */
  async client(
    connection: ConnectionRecord,
    locationId?: string,
    options: { fetch?: typeof fetch } = {},
  ): Promise<HighLevelClient> {
    const location = locationId ?? connection.locationIds[0];
    const credentials =
      connection.kind === "agency" && location
        ? (await this.#minter(connection)).forLocation(location)
        : await this.#credentialsOf(connection);
    return new HighLevelClient({
      credentials,
      ...(this.#baseUrl ? { baseUrl: this.#baseUrl } : {}),
      ...(location ? { locationId: location } : {}),
      ...(connection.companyId ? { companyId: connection.companyId } : {}),
      limiter: this.limiter,
      // HIGHLEVEL_TIMEOUT_MS: how long one call may take (default 30 s; the chaos suite lowers it).
      ...(Number(process.env.HIGHLEVEL_TIMEOUT_MS) > 0
        ? { timeoutMs: Number(process.env.HIGHLEVEL_TIMEOUT_MS) }
        : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  /** Forget cached credentials (after the connection was edited or reconnected). */
  forget(connectionId: string): void {
    this.#credentials.delete(connectionId);
    this.#minters.delete(connectionId);
  }

  #credentialsOf(connection: ConnectionRecord): Promise<Credentials> {
    let p = this.#credentials.get(connection.id);
    if (!p) {
      p = this.#make(connection);
      // A failure (bad secret, no tokens) is not cached: the next call tries again.
      p.catch(() => this.#credentials.delete(connection.id));
      this.#credentials.set(connection.id, p);
    }
    return p;
  }

  async #make(connection: ConnectionRecord): Promise<Credentials> {
    const secrets = await this.#store.getConnectionSecrets(connection.id);
    if (connection.kind === "pit") {
      if (!secrets.privateToken) {
        throw new HighLevelError(`Connection "${connection.label}" has no token stored.`, {
          code: "RECONNECT_NEEDED",
        });
      }
      const location = connection.locationIds[0];
      return new PrivateIntegrationToken({
        token: secrets.privateToken,
        kind: location ? "location" : "agency",
        ...(connection.scopes.length ? { scopes: connection.scopes } : {}),
        ...(location ? { locationId: location } : {}),
        ...(connection.companyId ? { companyId: connection.companyId } : {}),
      });
    }
    return OAuthCredentials.create({
      app: this.#app(connection, secrets.clientSecret),
      store: this.#store.tokenStore(),
      connectionId: connection.id,
      ...(this.#now ? { now: this.#now } : {}),
      ...(this.#skewMs !== undefined ? { skewMs: this.#skewMs } : {}),
    });
  }

  #app(connection: ConnectionRecord, clientSecret: string | undefined): OAuthApp {
    if (!connection.clientId || !clientSecret) {
      throw new HighLevelError(`Connection "${connection.label}" lacks its OAuth client id or secret.`, {
        code: "RECONNECT_NEEDED",
      });
    }
    return new OAuthApp({
      clientId: connection.clientId,
      clientSecret,
      ...(this.#baseUrl ? { baseUrl: this.#baseUrl } : {}),
      ...(this.#now ? { now: this.#now } : {}),
    });
  }

  #minter(connection: ConnectionRecord): Promise<LocationTokenMinter> {
    let p = this.#minters.get(connection.id);
    if (!p) {
      p = (async () => {
        const agency = await this.#credentialsOf(connection);
        const secrets = await this.#store.getConnectionSecrets(connection.id);
        return new LocationTokenMinter({
          agency,
          app: this.#app(connection, secrets.clientSecret),
          ...(connection.companyId ? { companyId: connection.companyId } : {}),
          ...(this.#now ? { now: this.#now } : {}),
          ...(this.#skewMs !== undefined ? { skewMs: this.#skewMs } : {}),
        });
      })();
      p.catch(() => this.#minters.delete(connection.id));
      this.#minters.set(connection.id, p);
    }
    return p;
  }
}
