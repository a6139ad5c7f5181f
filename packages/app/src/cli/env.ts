// Credentials and target from the environment, shared by every command that talks to HighLevel.
//
// A token's type comes from the token (an OAuth access token says whether it is a Company or a
// Location token) or from the variable it is in: HIGHLEVEL_TOKEN holds a location token unless
// HIGHLEVEL_TOKEN_TYPE=agency says otherwise, HIGHLEVEL_AGENCY_TOKEN an agency one. Which ids are set
// says where to act, never what a token is. With an agency token, agency operations use it and
// location operations use the location token, or one minted from the agency token for the location.
import {
  type Credentials,
  getOperation,
  HIGHLEVEL_API_BASE_URL,
  HighLevelClient,
  LocationTokenMinter,
  OAuthApp,
  PrivateIntegrationToken,
  type TokenKind,
} from "@hlconnect/client";
import { CliError } from "./errors.ts";

export interface HighLevelEnv {
  /** HIGHLEVEL_TOKEN as given (for commands that need a location token only). */
  token: string;
  locationToken: string | undefined;
  agencyToken: string | undefined;
  locationId: string | undefined;
  companyId: string | undefined;
  baseUrl: string;
}

const TOKEN_TYPES: TokenKind[] = ["location", "agency"];

export function readHighLevelEnv(env: NodeJS.ProcessEnv = process.env): HighLevelEnv {
  const token = env.HIGHLEVEL_TOKEN?.trim() || undefined;
  const agencyToken = env.HIGHLEVEL_AGENCY_TOKEN?.trim() || undefined;
  if (!token && !agencyToken) {
    throw new CliError(
      "HIGHLEVEL_TOKEN is not set: export a Private Integration Token (or an access token) first, " +
        "and HIGHLEVEL_AGENCY_TOKEN for agency operations, e.g. from `hlconnect sandbox --json` for the local sandbox.",
    );
  }
  const declared = env.HIGHLEVEL_TOKEN_TYPE?.trim().toLowerCase() || undefined;
  if (declared && !TOKEN_TYPES.includes(declared as TokenKind)) {
    throw new CliError(`HIGHLEVEL_TOKEN_TYPE must be "location" or "agency", got "${declared}"`, 2);
  }
  const ofToken = token
    ? (tokenKindOf(token) ?? (declared as TokenKind | undefined) ?? "location")
    : undefined;
  if (agencyToken && tokenKindOf(agencyToken) === "location") {
    throw new CliError(
      "HIGHLEVEL_AGENCY_TOKEN holds a location (sub-account) token: put it in HIGHLEVEL_TOKEN",
      2,
    );
  }
  if (ofToken === "agency" && agencyToken && agencyToken !== token) {
    throw new CliError(
      "HIGHLEVEL_TOKEN is an agency token and HIGHLEVEL_AGENCY_TOKEN another one: set only one of them",
      2,
    );
  }
  return {
    token: token ?? "",
    locationToken: ofToken === "location" ? token : undefined,
    agencyToken: ofToken === "agency" ? token : agencyToken,
    locationId: env.HIGHLEVEL_LOCATION_ID?.trim() || undefined,
    companyId: env.HIGHLEVEL_COMPANY_ID?.trim() || undefined,
    baseUrl: readBaseUrl(env),
  };
}

/** HIGHLEVEL_BASE_URL, checked here so a typo names the variable rather than failing in a request. */
export function readBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.HIGHLEVEL_BASE_URL?.trim();
  if (!url) return HIGHLEVEL_API_BASE_URL;
  if (!/^https?:\/\/[^/]/i.test(url) || !URL.canParse(url)) {
    throw new CliError(
      `HIGHLEVEL_BASE_URL must be an http(s) URL such as ${HIGHLEVEL_API_BASE_URL} (or the sandbox's), got "${url}"`,
      2,
    );
  }
  return url;
}

/** What an OAuth access token says it is (its `authClass` claim); undefined for opaque tokens (PITs). */
export function tokenKindOf(token: string): TokenKind | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as {
      authClass?: unknown;
    };
    if (claims.authClass === "Company") return "agency";
    if (claims.authClass === "Location") return "location";
  } catch {
    // not a JWT after all
  }
  return undefined;
}

export function clientFromEnv(env: NodeJS.ProcessEnv = process.env): HighLevelClient {
  const e = readHighLevelEnv(env);
  const common = {
    baseUrl: e.baseUrl,
    ...(e.locationId ? { locationId: e.locationId } : {}),
    ...(e.companyId ? { companyId: e.companyId } : {}),
  };
  const agency = e.agencyToken
    ? new PrivateIntegrationToken({
        token: e.agencyToken,
        kind: "agency",
        ...(e.companyId ? { companyId: e.companyId } : {}),
      })
    : undefined;
  let location: Credentials | undefined;
  if (e.locationToken) {
    location = new PrivateIntegrationToken({
      token: e.locationToken,
      kind: "location",
      ...(e.locationId ? { locationId: e.locationId } : {}),
      ...(e.companyId ? { companyId: e.companyId } : {}),
    });
  } else if (agency && e.locationId) {
    if (!e.companyId) {
      throw new CliError(
        "HIGHLEVEL_COMPANY_ID is not set: minting a location token from HIGHLEVEL_AGENCY_TOKEN needs the agency's id",
        2,
      );
    }
    location = new LocationTokenMinter({
      agency,
      // Minting sends only the agency token; the OAuth app's client id and secret are not used.
      app: new OAuthApp({ clientId: "hlconnect-cli", clientSecret: "unused", baseUrl: e.baseUrl }),
      companyId: e.companyId,
    }).forLocation(e.locationId);
  }
  const locationClient = location ? new HighLevelClient({ credentials: location, ...common }) : undefined;
  if (!agency) return locationClient!;
  const agencyClient = new HighLevelClient({
    credentials: agency,
    ...common,
    ...(locationClient ? { limiter: locationClient.limiter } : {}),
  });
  return locationClient ? new AgencyAwareClient(locationClient, agencyClient) : agencyClient;
}

/** Agency operations through the agency token, every other one through the location's. */
class AgencyAwareClient extends HighLevelClient {
  readonly #location: HighLevelClient;
  readonly #agency: HighLevelClient;

  constructor(location: HighLevelClient, agency: HighLevelClient) {
    super({
      credentials: location.credentials,
      baseUrl: location.baseUrl,
      limiter: location.limiter,
      ...(location.locationId ? { locationId: location.locationId } : {}),
      ...(location.companyId ? { companyId: location.companyId } : {}),
    });
    this.#location = location;
    this.#agency = agency;
  }

  override callByKey(
    key: string,
    params?: Record<string, unknown>,
    body?: unknown,
    options?: Parameters<HighLevelClient["callByKey"]>[3],
  ): Promise<unknown> {
    const target = getOperation(key).security === "agency" ? this.#agency : this.#location;
    return target.callByKey(key, params, body, options);
  }
}

/** The client of `--connection ID` (from the data dir) or of the HIGHLEVEL_* environment. */
export async function connectionFromOptions(opts: {
  connection?: string;
  data?: string;
}): Promise<{ client: HighLevelClient; close?: () => Promise<void> }> {
  if (!opts.connection) return { client: clientFromEnv() };
  const { openEngine } = await import("./data.ts");
  const { engine } = await openEngine({
    data: opts.data,
    mustExist: true,
    secretNeededFor: "the connection's token is stored encrypted with it",
  });
  try {
    const all = await engine.store.listConnections();
    const connection = all.find((c) => c.id === opts.connection);
    if (!connection) {
      const known = all.map((c) => c.id).join(", ") || "none yet (`hlconnect connections add`)";
      throw new CliError(`there is no connection "${opts.connection}"; connections: ${known}`, 2);
    }
    const location = process.env.HIGHLEVEL_LOCATION_ID?.trim() || connection.locationIds[0];
    const client = await engine.clients.client(connection, location);
    return { client, close: () => engine.stop() };
  } catch (err) {
    await engine.stop();
    throw err;
  }
}
