import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, validateResponse } from "../src/index.ts";
import { type Api, type Clock, manualClock, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;
let clock: Clock;

beforeAll(async () => {
  clock = manualClock();
  ({ sb, api } = await start({ now: clock.now, accessTokenTtlSeconds: 3600 }));
});
afterAll(() => sb.close());

async function token(form: Record<string, string>) {
  const r = await fetch(`${sb.info.baseUrl}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: sb.info.clientId, client_secret: sb.info.clientSecret, ...form }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

async function authorize(extra = ""): Promise<URL> {
  const q = `client_id=${sb.info.clientId}&redirect_uri=${encodeURIComponent("http://localhost:9/callback")}&response_type=code&scope=contacts.readonly%20contacts.write&state=xyz${extra}`;
  const r = await fetch(`${sb.info.baseUrl}/oauth/chooselocation?${q}`, { redirect: "manual" });
  expect(r.status).toBe(302);
  return new URL(r.headers.get("location")!);
}

describe("OAuth", () => {
  it("code → token → refresh, with single-use refresh tokens", async () => {
    const redirect = await authorize();
    expect(redirect.origin + redirect.pathname).toBe("http://localhost:9/callback");
    expect(redirect.searchParams.get("state")).toBe("xyz");
    const code = redirect.searchParams.get("code")!;

    const first = await token({
      grant_type: "authorization_code",
      code,
      user_type: "Location",
      redirect_uri: "http://localhost:9/callback",
    });
    expect(first.status).toBe(200);
    expect(validateResponse("get-access-token", 200, first.body).errors).toEqual([]);
    expect(first.body).toMatchObject({
      token_type: "Bearer",
      expires_in: 3600,
      scope: "contacts.readonly contacts.write",
      userType: "Location",
      companyId: sb.info.companyId,
      locationId: sb.info.locationId,
      userId: sb.info.userId,
    });
    const access = first.body.access_token as string;
    expect(access.split(".")).toHaveLength(3);
    expect((await api(`/contacts/?locationId=${sb.info.locationId}`, { token: access })).status).toBe(200);
    // Scopes are the ones asked for.
    expect(
      (await api(`/opportunities/pipelines?locationId=${sb.info.locationId}`, { token: access })).status,
    ).toBe(401);

    // The code is spent.
    expect((await token({ grant_type: "authorization_code", code })).body).toMatchObject({
      error: "invalid_grant",
    });

    const refreshed = await token({
      grant_type: "refresh_token",
      refresh_token: first.body.refresh_token as string,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(refreshed.body.access_token).not.toBe(access);

    const reused = await token({
      grant_type: "refresh_token",
      refresh_token: first.body.refresh_token as string,
    });
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ error: "invalid_grant" });
    expect(typeof reused.body.error_description).toBe("string");

    // The new refresh token works once.
    const again = await token({
      grant_type: "refresh_token",
      refresh_token: refreshed.body.refresh_token as string,
    });
    expect(again.status).toBe(200);
  });

  it("expires access tokens after expires_in", async () => {
    const { code } = (await (
      await fetch(`${sb.info.baseUrl}/__sandbox/oauth/code?userType=Location`)
    ).json()) as { code: string };
    const t = await token({ grant_type: "authorization_code", code });
    const access = t.body.access_token as string;
    clock.advance(3599_000);
    expect((await api(`/contacts/?locationId=${sb.info.locationId}`, { token: access })).status).toBe(200);
    clock.advance(1000);
    expect((await api(`/contacts/?locationId=${sb.info.locationId}`, { token: access })).status).toBe(401);
  });

  it("rejects bad client credentials, unknown grants and missing fields", async () => {
    const bad = await token({ grant_type: "refresh_token", refresh_token: "x", client_secret: "nope" });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: "invalid_client" });
    expect((await token({ grant_type: "refresh_token", refresh_token: "unknown" })).body).toMatchObject({
      error: "invalid_grant",
    });
    expect((await token({ grant_type: "client_credentials" })).body).toMatchObject({
      error: "unsupported_grant_type",
    });
    const r = await fetch(`${sb.info.baseUrl}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=refresh_token",
    });
    expect(r.status).toBe(422);
    expect(((await r.json()) as { message: string[] }).message).toEqual([
      "client_id should not be empty",
      "client_secret should not be empty",
    ]);
  });

  it("issues Company tokens and location tokens minted from them", async () => {
    const { code } = (await (
      await fetch(`${sb.info.baseUrl}/__sandbox/oauth/code?userType=Company`)
    ).json()) as { code: string };
    const t = await token({ grant_type: "authorization_code", code, user_type: "Company" });
    expect(t.body).toMatchObject({ userType: "Company", companyId: sb.info.companyId });
    expect(t.body.locationId).toBeUndefined();
    const agency = t.body.access_token as string;

    const minted = await api("/oauth/locationToken", {
      token: agency,
      method: "POST",
      body: new URLSearchParams({
        companyId: sb.info.companyId,
        locationId: sb.info.otherLocationId,
      }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(minted.status).toBe(200);
    expect(validateResponse("get-location-access-token", 200, minted.body).errors).toEqual([]);
    expect(minted.body).toMatchObject({ token_type: "Bearer", locationId: sb.info.otherLocationId });
    expect(minted.body.refresh_token).toBeUndefined();
    const loc = minted.body.access_token;
    expect((await api(`/contacts/?locationId=${sb.info.otherLocationId}`, { token: loc })).status).toBe(200);
    expect((await api(`/contacts/?locationId=${sb.info.locationId}`, { token: loc })).status).toBe(403);

    const installed = await api(
      `/oauth/installedLocations?companyId=${sb.info.companyId}&appId=${sb.info.appId}`,
      { token: agency },
    );
    expect(validateResponse("get-installed-location", 200, installed.body).errors).toEqual([]);
    expect(installed.body.count).toBe(2);
  });

  it("refuses an unknown client at chooselocation", async () => {
    const r = await fetch(`${sb.info.baseUrl}/oauth/chooselocation?client_id=nope&redirect_uri=http://x/cb`, {
      redirect: "manual",
    });
    expect(r.status).toBe(400);
  });
});
