// The end of HighLevel's authorization-code flow: trade the code for the first token pair and keep it
// as a connection. A sub-account (Location) grant becomes an "oauth" connection for that location; an
// agency (Company) grant becomes an "agency" connection listing the locations the app is installed in,
// which mints location tokens at run time. Authorizing a location or company again replaces the tokens
// of its existing connection, marks it ok and resumes the flows its failure paused.
import type { InstalledLocation, OAuthApp, TokenSet, UserType } from "@hlconnect/client";
import type { ConnectionKind, ConnectionRecord, FlowRecord, Store } from "../store/types.ts";
import type { ConnectionClients } from "./clients.ts";
import { resumeAfterReconnect } from "./status.ts";

const INSTALLED_PAGE_SIZE = 100;
/** A company with more installed locations than this is listed in part (with a warning). */
const MAX_INSTALLED_LOCATIONS = 5_000;

export class AuthorizationError extends Error {
  constructor(
    message: string,
    readonly code: "no_subject" | "reconnect_mismatch" | "unknown_connection",
  ) {
    super(message);
    this.name = "AuthorizationError";
  }
}

export interface CompleteAuthorizationInput {
  /** The OAuth app, pointed at the API that issued the code. */
  app: OAuthApp;
  /** The same app's secret, kept (encrypted) with the connection for its refreshes. */
  clientSecret: string;
  code: string;
  userType: UserType;
  /** The redirect_uri the authorization was started with (HighLevel compares them). */
  redirectUri?: string;
  /** Name for a new connection; an existing one keeps its name unless this is given. */
  label?: string;
  /** The marketplace app id, for listing an agency's installed locations; default: the client id's prefix. */
  appId?: string;
  /** Reconnect this connection: the grant must be for its location (or company). */
  reconnectId?: string;
}

export interface AuthorizationResult {
  connection: ConnectionRecord;
  created: boolean;
  resumedFlows: FlowRecord[];
  /** Things that did not stop the connection from being saved, but that the user should know. */
  warnings: string[];
}

export async function completeAuthorization(
  deps: { store: Store; clients: Pick<ConnectionClients, "forget"> },
  input: CompleteAuthorizationInput,
): Promise<AuthorizationResult> {
  const { store } = deps;
  const target = input.reconnectId ? await store.getConnection(input.reconnectId) : undefined;
  if (input.reconnectId && !target) {
    throw new AuthorizationError(
      `there is no connection "${input.reconnectId}" to reconnect`,
      "unknown_connection",
    );
  }
  const tokens = await input.app.exchangeCode(input.code, {
    userType: input.userType,
    ...(input.redirectUri ? { redirectUri: input.redirectUri } : {}),
  });
  // What HighLevel granted decides the kind, whatever was asked for.
  const kind: ConnectionKind = tokens.userType === "Company" ? "agency" : "oauth";
  const subject = subjectOf(kind, tokens);
  const warnings: string[] = [];

  const existing = target ?? (await findExisting(store, kind, input.app.clientId, subject));
  if (target && !sameSubject(target, kind, subject)) {
    throw new AuthorizationError(
      `connection ${target.id} is for ${describe(target.kind, target.companyId, target.locationIds[0])}, ` +
        `but this authorization was for ${describe(kind, subject.companyId, subject.locationId)}: ` +
        "authorize that one again, or start without --reconnect to add a new connection",
      "reconnect_mismatch",
    );
  }

  let locationIds: string[];
  if (kind === "oauth") locationIds = [subject.locationId as string];
  else if (existing?.locationIds.length)
    locationIds = existing.locationIds; // the user's choice stays
  else {
    const listed = await installedLocations(input, tokens, subject.companyId as string);
    locationIds = listed.ids;
    warnings.push(...listed.warnings);
  }

  const connection = await store.saveConnection({
    ...(existing ? { id: existing.id } : {}),
    label: input.label?.trim() || existing?.label || defaultLabel(kind, subject),
    kind,
    locationIds,
    ...(subject.companyId ? { companyId: subject.companyId } : {}),
    scopes: tokens.scopes ?? [],
    clientId: input.app.clientId,
  });
  await store.setConnectionSecrets(connection.id, { clientSecret: input.clientSecret });
  const tokenStore = store.tokenStore();
  // Under the connection's lock: a refresh in flight elsewhere must not overwrite the new pair.
  await tokenStore.withLock(connection.id, () => tokenStore.save(connection.id, tokens));
  deps.clients.forget(connection.id);
  const resumedFlows = existing ? await resumeAfterReconnect(store, connection.id) : [];
  return {
    connection: (await store.getConnection(connection.id)) ?? connection,
    created: !existing,
    resumedFlows,
    warnings,
  };
}

interface Subject {
  companyId?: string;
  locationId?: string;
}

function subjectOf(kind: ConnectionKind, tokens: TokenSet): Subject {
  if (kind === "oauth" && !tokens.locationId) {
    throw new AuthorizationError("HighLevel's token answer names no location (locationId)", "no_subject");
  }
  if (kind === "agency" && !tokens.companyId) {
    throw new AuthorizationError("HighLevel's token answer names no agency (companyId)", "no_subject");
  }
  return {
    ...(tokens.companyId ? { companyId: tokens.companyId } : {}),
    ...(tokens.locationId ? { locationId: tokens.locationId } : {}),
  };
}

function sameSubject(c: ConnectionRecord, kind: ConnectionKind, s: Subject): boolean {
  if (c.kind !== kind) return false;
  return kind === "oauth" ? c.locationIds[0] === s.locationId : c.companyId === s.companyId;
}

async function findExisting(
  store: Store,
  kind: ConnectionKind,
  clientId: string,
  subject: Subject,
): Promise<ConnectionRecord | undefined> {
  const same = (await store.listConnections({ kind })).filter(
    (c) => c.clientId === clientId && sameSubject(c, kind, subject),
  );
  return same.find((c) => c.status === "needs_reconnect") ?? same[0];
}

async function installedLocations(
  input: CompleteAuthorizationInput,
  tokens: TokenSet,
  companyId: string,
): Promise<{ ids: string[]; warnings: string[] }> {
  const appId = input.appId ?? input.app.clientId.split("-")[0] ?? input.app.clientId;
  const found: InstalledLocation[] = [];
  try {
    for (let skip = 0; skip < MAX_INSTALLED_LOCATIONS; skip += INSTALLED_PAGE_SIZE) {
      const page = await input.app.installedLocations(tokens.accessToken, {
        companyId,
        appId,
        isInstalled: true,
        skip,
        limit: INSTALLED_PAGE_SIZE,
      });
      found.push(...page.locations);
      const total = page.count ?? 0;
      if (page.locations.length < INSTALLED_PAGE_SIZE || found.length >= total) break;
    }
  } catch (err) {
    // The tokens are good; the list can be set by hand. Failing here would waste the spent code.
    return {
      ids: [...new Set(found.map((l) => l._id))],
      warnings: [
        `could not list the locations the app is installed in (${(err as Error).message}); ` +
          "set them with PUT /api/connections/ID {locationIds}",
      ],
    };
  }
  const ids = [...new Set(found.filter((l) => l.isInstalled !== false).map((l) => l._id))];
  const warnings: string[] = [];
  if (!ids.length)
    warnings.push("the app is installed in no location of this agency yet: install it, then authorize again");
  if (found.length >= MAX_INSTALLED_LOCATIONS) {
    warnings.push(`only the first ${MAX_INSTALLED_LOCATIONS} installed locations were listed`);
  }
  return { ids, warnings };
}

function defaultLabel(kind: ConnectionKind, s: Subject): string {
  return kind === "agency" ? `HighLevel agency ${s.companyId}` : `HighLevel location ${s.locationId}`;
}

function describe(kind: ConnectionKind, companyId?: string, locationId?: string): string {
  return kind === "agency" ? `agency ${companyId ?? "?"}` : `location ${locationId ?? "?"}`;
}
