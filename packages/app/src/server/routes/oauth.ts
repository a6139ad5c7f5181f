// GET /oauth/start sends the user to HighLevel's consent page, GET /oauth/callback takes the code back
// and stores the connection. Start needs the API token or a one-time link from `hlconnect connections
// oauth`; the callback needs neither: the single-use state it carries is its credential.
import { HighLevelError, type UserType } from "@hlconnect/client";
import { AuthorizationError, completeAuthorization } from "@hlconnect/engine/connections/authorize";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ServerDeps } from "../deps.ts";
import { oauthError, oauthSuccess, wantsJson } from "../oauth/page.ts";
import { PENDING_TTL_MS, PendingAuthorizations } from "../oauth/pending.ts";
import { authorizeUrl, type OAuthSettings, oauthApp } from "../oauth/settings.ts";
import { type StartParams, verifyStartLink } from "../oauth/start-link.ts";
import { connectionViewOf } from "../views.ts";

export interface OAuthRouteOptions {
  /** The marketplace app; without it both endpoints say how to configure it. */
  settings?: OAuthSettings;
  /** HighLevel sends the user back to `${publicUrl}/oauth/callback`; default: the request's origin. */
  publicUrl?: string;
  /** Verifies the CLI's one-time start links (derived from HLCONNECT_SECRET); without it, only the API token. */
  linkKey?: Buffer;
  now?: () => number;
}

const MAX_LABEL = 200;
const START_AGAIN = "Start again with `hlconnect connections oauth` (or GET /oauth/start).";
const NOT_CONFIGURED =
  "set HIGHLEVEL_CLIENT_ID and HIGHLEVEL_CLIENT_SECRET to your HighLevel marketplace app's, then restart `hlconnect serve`";

export function oauthRoutes(deps: ServerDeps, options: OAuthRouteOptions, apiAuth: MiddlewareHandler): Hono {
  const { engine, logger } = deps;
  const now = options.now ?? Date.now;
  const pending = new PendingAuthorizations({ now });
  const app = new Hono();

  // Whether links can work at all: `hlconnect connections oauth` asks before printing one.
  app.get("/status", (c) => c.json({ configured: Boolean(options.settings) }));

  app.get("/start", async (c) => {
    const query = new URL(c.req.url).searchParams;
    const viaLink = query.has("sig");
    if (!viaLink) {
      const refused = await refusedByApiToken(c, apiAuth);
      if (refused) return refused;
    }
    const parsed = parseStart(query);
    if (typeof parsed === "string") return oauthError(c, 400, "Bad request", parsed);
    const params = parsed.params;
    if (viaLink) {
      const refused = checkLink(c, options.linkKey, query, params, now(), pending);
      if (refused) return refused;
    }
    if (!options.settings)
      return oauthError(c, 503, "OAuth is not configured on this server", NOT_CONFIGURED);

    let userType = params.userType;
    if (params.reconnect) {
      const target = await engine.store.getConnection(params.reconnect);
      if (!target)
        return oauthError(c, 404, "Unknown connection", `there is no connection "${params.reconnect}"`);
      if (target.kind === "pit") {
        return oauthError(
          c,
          400,
          "Cannot reconnect by OAuth",
          `connection ${target.id} uses a Private Integration Token, not OAuth`,
        );
      }
      const expected: UserType = target.kind === "agency" ? "Company" : "Location";
      if (parsed.explicitUserType && expected !== userType) {
        return oauthError(
          c,
          400,
          "Bad request",
          `connection ${target.id} is ${target.kind === "agency" ? "an agency (Company)" : "a location"} connection: userType must be ${expected}`,
        );
      }
      userType = expected;
    }
    const redirectUri = `${(options.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, "")}/oauth/callback`;
    const started = pending.create({
      userType,
      whiteLabel: params.whiteLabel,
      redirectUri,
      ...(params.label ? { label: params.label } : {}),
      ...(params.reconnect ? { reconnectId: params.reconnect } : {}),
    });
    const url = authorizeUrl(options.settings, {
      state: started.state,
      redirectUri,
      userType,
      whiteLabel: params.whiteLabel,
    });
    if (wantsJson(c)) {
      return c.json({ authorizeUrl: url, expiresAt: new Date(started.expiresAt).toISOString() });
    }
    return c.redirect(url, 302);
  });

  app.get("/callback", async (c) => {
    const state = c.req.query("state");
    if (!state) {
      return oauthError(
        c,
        400,
        "Missing state",
        `this is where HighLevel sends you back after you authorize the app, with the state it was given. ${START_AGAIN}`,
      );
    }
    const taken = pending.take(state);
    if (!taken.ok) {
      const [title, why] = (
        {
          unknown: [
            "Unknown authorization",
            "this server did not start this authorization, or it restarted since.",
          ],
          expired: [
            "Authorization expired",
            `it was started more than ${PENDING_TTL_MS / 60_000} minutes ago.`,
          ],
          used: ["Authorization already used", "this authorization already came back once."],
        } satisfies Record<string, [string, string]>
      )[taken.reason];
      return oauthError(c, 400, title, `${why} ${START_AGAIN}`);
    }
    const started = taken.pending;
    const declined = c.req.query("error");
    if (declined) {
      const description = c.req.query("error_description") ?? declined;
      return oauthError(c, 400, "HighLevel did not authorize the app", `${description}. ${START_AGAIN}`);
    }
    const code = c.req.query("code");
    if (!code)
      return oauthError(c, 400, "Missing code", `HighLevel sent no authorization code. ${START_AGAIN}`);
    if (!options.settings)
      return oauthError(c, 503, "OAuth is not configured on this server", NOT_CONFIGURED);

    let result: Awaited<ReturnType<typeof completeAuthorization>>;
    try {
      result = await completeAuthorization(engine, {
        app: oauthApp(options.settings, options.now),
        clientSecret: options.settings.clientSecret,
        code,
        userType: started.userType,
        redirectUri: started.redirectUri,
        ...(started.label ? { label: started.label } : {}),
        ...(options.settings.appId ? { appId: options.settings.appId } : {}),
        ...(started.reconnectId ? { reconnectId: started.reconnectId } : {}),
      });
    } catch (err) {
      if (err instanceof AuthorizationError) {
        const status: ContentfulStatusCode =
          err.code === "reconnect_mismatch" ? 409 : err.code === "unknown_connection" ? 404 : 502;
        return oauthError(c, status, "The connection was not saved", err.message);
      }
      if (err instanceof HighLevelError) {
        logger.warn({ error: err }, "the OAuth code exchange failed");
        return oauthError(c, 502, "HighLevel refused the authorization", `${err.message}. ${START_AGAIN}`);
      }
      throw err;
    }

    const { connection, created, resumedFlows, warnings } = result;
    logger.info(
      {
        connectionId: connection.id,
        kind: connection.kind,
        created,
        resumedFlows: resumedFlows.map((f) => f.id),
      },
      created ? "OAuth connection added" : "OAuth connection reconnected",
    );
    const what =
      connection.kind === "agency"
        ? `agency ${connection.companyId} with ${connection.locationIds.length} location(s): ${connection.locationIds.join(", ") || "none"}`
        : `location ${connection.locationIds[0]}`;
    const view = await connectionViewOf(engine, connection);
    const lines = [
      `Connection ${connection.id} ("${connection.label}") reaches HighLevel ${what}.`,
      ...(resumedFlows.length ? [`Resumed flows: ${resumedFlows.map((f) => f.id).join(", ")}.`] : []),
      ...warnings.map((w) => `Note: ${w}.`),
      view.default
        ? "It is the default connection: flows that name none use it."
        : `Flows use it with \`connection: ${connection.id}\` (flows that name none keep using the default connection).`,
      "You can close this page.",
    ];
    return oauthSuccess(c, created ? "Connected to HighLevel" : "Reconnected to HighLevel", lines, {
      connection: view,
      created,
      resumedFlows: resumedFlows.map((f) => f.id),
      warnings,
    });
  });

  return app;
}

/** The API token check, run for its answer: undefined when the request may go on. */
async function refusedByApiToken(c: Context, apiAuth: MiddlewareHandler): Promise<Response | undefined> {
  let passed = false;
  const answer = await apiAuth(c, async () => {
    passed = true;
  });
  return passed ? undefined : (answer ?? c.res);
}

function checkLink(
  c: Context,
  key: Buffer | undefined,
  query: URLSearchParams,
  params: StartParams,
  now: number,
  pending: PendingAuthorizations,
): Response | undefined {
  if (!key) {
    return oauthError(
      c,
      401,
      "Links are not accepted here",
      "this server checks start links with no key: use the API token",
    );
  }
  const check = verifyStartLink(key, query, params, now);
  if (!check.ok) {
    return check.reason === "expired"
      ? oauthError(c, 403, "This link expired", `start links last 10 minutes. ${START_AGAIN}`)
      : oauthError(
          c,
          403,
          "This link is not valid",
          "it was changed, or made with another HLCONNECT_SECRET than this server's. " + START_AGAIN,
        );
  }
  if (!pending.claimNonce(check.nonce, check.expiresAt)) {
    return oauthError(c, 403, "This link was already used", `each start link works once. ${START_AGAIN}`);
  }
  return undefined;
}

type ParsedStart = { params: StartParams; explicitUserType: boolean };

function parseStart(q: URLSearchParams): ParsedStart | string {
  const rawType = q.get("userType");
  const type = (rawType ?? "Location").trim().toLowerCase();
  const userType: UserType | undefined =
    type === "location" ? "Location" : type === "company" || type === "agency" ? "Company" : undefined;
  if (!userType) return `userType must be Location or Company, got "${rawType}"`;
  const rawWhite = (q.get("whiteLabel") ?? "0").trim().toLowerCase();
  if (!["0", "1", "true", "false"].includes(rawWhite)) {
    return `whiteLabel must be 0 or 1, got "${q.get("whiteLabel")}"`;
  }
  const label = q.get("label")?.trim();
  if (label !== undefined && label.length > MAX_LABEL) return `label must be at most ${MAX_LABEL} characters`;
  const reconnect = q.get("reconnect")?.trim();
  return {
    params: {
      userType,
      whiteLabel: rawWhite === "1" || rawWhite === "true",
      ...(label ? { label } : {}),
      ...(reconnect ? { reconnect } : {}),
    },
    explicitUserType: rawType !== null,
  };
}
