// The two ways to connect: OAuth 2 through HighLevel's marketplace app (tokens refresh by
// themselves; each refresh token works once, so the new one replaces it), or a location's Private
// Integration Token. Either way the test call reads the location and names the connection after it.
"use strict";

const manifest = require("./manifest.json");
const { baseUrl, withContext } = require("./runtime.js");

const DEFAULT_AUTHORIZE_URL = "https://marketplace.gohighlevel.com/oauth/chooselocation";

/** The connected location: proves the token works and gives the connection its name. */
const test = (z, bundle) =>
  withContext(z, bundle, async (ctx) => {
    const r = await ctx.client.callByKey("get-location", { locationId: ctx.locationId });
    const loc = r?.location || {};
    return {
      locationId: loc.id || ctx.locationId,
      locationName: loc.name || ctx.locationId,
      email: loc.email,
    };
  });

const connectionLabel = (_z, bundle) => {
  const d = bundle.inputData || {};
  return d.locationName && d.locationName !== d.locationId
    ? `${d.locationName} (${d.locationId})`
    : String(d.locationId || "");
};

function env(z, name) {
  const v = process.env[name];
  if (!v)
    throw new z.errors.Error(
      `${name} is not set: run \`zapier env:set 1.0.0 ${name}=...\` with your HighLevel app's value.`,
      "Configuration",
    );
  return v;
}

/** POST /oauth/token; a refused grant means the person has to connect again. */
async function tokenRequest(z, form, refreshing) {
  const res = await z.request({
    url: `${baseUrl()}/oauth/token`,
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(form).toString(),
    skipThrowForStatus: true,
  });
  let data = {};
  try {
    data = JSON.parse(res.content || "{}");
  } catch {
    data = {};
  }
  if (res.status >= 400 || !data.access_token) {
    const why = data.error_description || data.message || data.error || `HTTP ${res.status}`;
    if (refreshing)
      throw new z.errors.ExpiredAuthError(
        `HighLevel would not refresh the connection (${why}); reconnect it.`,
      );
    throw new z.errors.Error(
      `HighLevel refused the authorization (${why}).`,
      "AuthenticationError",
      res.status,
    );
  }
  if (data.userType && data.userType !== "Location") {
    throw new z.errors.Error(
      "Choose a sub-account (location) when connecting: this app works with one location per connection.",
      "AuthenticationError",
    );
  }
  return {
    access_token: data.access_token,
    refresh_token: data.refresh_token,
    locationId: data.locationId,
    ...(data.companyId ? { companyId: data.companyId } : {}),
  };
}

const oauth2 = {
  type: "oauth2",
  test,
  connectionLabel,
  oauth2Config: {
    authorizeUrl: (z, bundle) => {
      const url = new URL(process.env.HIGHLEVEL_AUTHORIZE_URL || DEFAULT_AUTHORIZE_URL);
      url.searchParams.set("response_type", "code");
      url.searchParams.set("client_id", env(z, "CLIENT_ID"));
      url.searchParams.set("redirect_uri", bundle.inputData.redirect_uri);
      url.searchParams.set("scope", manifest.scopes.join(" "));
      if (bundle.inputData.state) url.searchParams.set("state", bundle.inputData.state);
      return url.toString();
    },
    getAccessToken: (z, bundle) =>
      tokenRequest(z, {
        client_id: env(z, "CLIENT_ID"),
        client_secret: env(z, "CLIENT_SECRET"),
        grant_type: "authorization_code",
        code: bundle.inputData.code,
        user_type: "Location",
        redirect_uri: bundle.inputData.redirect_uri,
      }),
    refreshAccessToken: async (z, bundle) => {
      const fresh = await tokenRequest(
        z,
        {
          client_id: env(z, "CLIENT_ID"),
          client_secret: env(z, "CLIENT_SECRET"),
          grant_type: "refresh_token",
          refresh_token: bundle.authData.refresh_token,
          user_type: "Location",
        },
        true,
      );
      // The old refresh token is spent: Zapier stores the new one with the access token.
      return { ...fresh, locationId: fresh.locationId || bundle.authData.locationId };
    },
    scope: manifest.scopes.join(" "),
    autoRefresh: true,
  },
};

const token = {
  type: "custom",
  test,
  connectionLabel,
  fields: [
    {
      key: "access_token",
      label: "Private Integration Token",
      type: "password",
      required: true,
      helpText:
        "Create one in the sub-account under Settings > Private Integrations, with the scopes the steps you use need.",
    },
    {
      key: "locationId",
      label: "Location ID",
      type: "string",
      required: true,
      helpText: "The sub-account's ID (Settings > Business Profile).",
    },
    {
      key: "companyId",
      label: "Company ID",
      type: "string",
      required: false,
      helpText: "The agency's ID: the Users steps and the agency steps need it.",
    },
    {
      key: "agencyToken",
      label: "Agency Private Integration Token",
      type: "password",
      required: false,
      helpText:
        "Optional: an agency-level token, for the few steps only an agency may call (Find User by Email, Snapshots, Company, Create Location).",
    },
  ],
};

module.exports = { oauth2, token };
