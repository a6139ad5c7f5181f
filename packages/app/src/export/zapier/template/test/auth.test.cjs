// Connecting: the test call names the location; with OAuth, the code exchange and the refresh
// (each refresh token works once, so the new one must replace it).
"use strict";

const { describe, it } = require("node:test");
const assert = require("node:assert/strict");
const zapier = require("zapier-platform-core");
const App = require("../index.js");
const { oauth2 } = require("../lib/authentication.js");
const h = require("./helpers.js");

const appTester = zapier.createAppTester(App);

describe("authentication", () => {
  it("the test call reads the location and the label names it", async () => {
    const result = await appTester(App.authentication.test, { authData: h.authData() });
    assert.equal(result.locationId, h.env("HIGHLEVEL_LOCATION_ID"));
    assert.ok(result.locationName);
    const label = await appTester(App.authentication.connectionLabel, {
      authData: h.authData(),
      inputData: result,
    });
    assert.match(label, new RegExp(result.locationId));
  });

  it("a rejected token asks Zapier to refresh (OAuth) or to reconnect (token)", async () => {
    const oauth = App.authentication.type === "oauth2";
    const authData = oauth
      ? { ...h.authData(), access_token: "bad-token", refresh_token: "r" }
      : { ...h.authData(), access_token: "bad-token" };
    await assert.rejects(appTester(App.authentication.test, { authData }), (err) => {
      assert.equal(err.name, oauth ? "RefreshAuthError" : "ExpiredAuthError");
      return true;
    });
  });

  // The OAuth configuration is tested whichever kind of connection this app was generated with.
  {
    const cfg = oauth2.oauth2Config;

    it("the authorize URL carries the client, the redirect, the state and the scopes", async () => {
      const url = new URL(
        await appTester(cfg.authorizeUrl, {
          inputData: {
            redirect_uri: "https://zapier.com/dashboard/auth/oauth/return/App1CLIAPI/",
            state: "s1",
          },
        }),
      );
      assert.equal(url.searchParams.get("client_id"), h.env("CLIENT_ID"));
      assert.equal(url.searchParams.get("state"), "s1");
      assert.match(url.searchParams.get("scope"), /contacts\.readonly/);
    });

    it("a code becomes tokens; a refresh gives new ones and the old refresh token is spent", async () => {
      // The sandbox's consent screen answers at once: follow the authorize URL to its redirect.
      const redirect = "https://zapier.com/dashboard/auth/oauth/return/App1CLIAPI/";
      process.env.HIGHLEVEL_AUTHORIZE_URL ??= `${h.env("HIGHLEVEL_BASE_URL")}/oauth/chooselocation`;
      const authorize = await appTester(cfg.authorizeUrl, {
        inputData: { redirect_uri: redirect, state: "s2" },
      });
      const res = await fetch(authorize, { redirect: "manual" });
      assert.equal(res.status, 302);
      const back = new URL(res.headers.get("location"));
      assert.equal(back.searchParams.get("state"), "s2");
      const code = back.searchParams.get("code");
      const tokens = await appTester(cfg.getAccessToken, { inputData: { code, redirect_uri: redirect } });
      assert.ok(tokens.access_token && tokens.refresh_token);
      assert.equal(tokens.locationId, h.env("HIGHLEVEL_LOCATION_ID"));
      const location = await appTester(App.authentication.test, { authData: tokens });
      assert.equal(location.locationId, tokens.locationId);

      const fresh = await appTester(cfg.refreshAccessToken, { authData: tokens });
      assert.notEqual(fresh.refresh_token, tokens.refresh_token);
      assert.equal(fresh.locationId, tokens.locationId);
      await assert.rejects(appTester(cfg.refreshAccessToken, { authData: tokens }), (err) => {
        assert.equal(err.name, "ExpiredAuthError");
        return true;
      });
    });
  }
});
