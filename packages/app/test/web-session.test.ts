// Signing in from the browser and serving the web app, in-process (app.request): cookie sessions with
// CSRF next to the bearer token, the one-click link, rate limits, the SPA fallback and error pages.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Engine } from "@hlconnect/engine/engine";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/server/app.ts";
import { noteFlow, quietLogger } from "./web-helpers.ts";

const API_TOKEN = "web-session-test-token-9d2f";
const FLOW = noteFlow("hello", "Hello");

let dir: string;
let engine: Engine;
let app: Hono;
let bareApp: Hono;

function cookieOf(res: Response): string {
  const set = res.headers.get("set-cookie") ?? "";
  const m = /hlconnect_session=([^;]*)/.exec(set);
  if (!m) throw new Error(`no session cookie in ${JSON.stringify(set)}`);
  return `hlconnect_session=${m[1]}`;
}

async function signIn(target: Hono = app): Promise<{ cookie: string; csrf: string }> {
  const res = await target.request("/api/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: API_TOKEN }),
  });
  expect(res.status).toBe(200);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: cookieOf(res), csrf: csrfToken };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "hlconnect-web-session-"));
  const dist = path.join(dir, "dist");
  mkdirSync(path.join(dist, "assets"), { recursive: true });
  writeFileSync(
    path.join(dist, "index.html"),
    "<!doctype html><title>hlconnect app</title><div id=root></div>",
  );
  writeFileSync(path.join(dist, "assets", "index-abc123.js"), "console.log('app')");
  writeFileSync(path.join(dist, "favicon.svg"), "<svg/>");
  engine = await Engine.open({ dataDir: path.join(dir, "data"), secret: "web-session-secret-long-enough" });
  const logger = quietLogger();
  app = createApp({ engine, apiToken: API_TOKEN, logger, webDist: dist }).app;
  bareApp = createApp({ engine, apiToken: API_TOKEN, logger, webDist: path.join(dir, "missing") }).app;
});

afterAll(async () => {
  await engine?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("sign-in", () => {
  it("signs in with the API token: an HttpOnly, SameSite=Strict cookie and a CSRF token", async () => {
    const res = await app.request("/api/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: API_TOKEN }),
    });
    expect(res.status).toBe(200);
    const set = res.headers.get("set-cookie") ?? "";
    expect(set).toMatch(/^hlconnect_session=[\w-]{40,};/);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Path=\//);
    expect(set).not.toMatch(/Secure/); // plain http on loopback
    const body = (await res.json()) as { csrfToken: string };
    expect(body.csrfToken).toMatch(/^[\w-]{40,}$/);
    expect(JSON.stringify(body)).not.toContain(API_TOKEN);

    const me = await app.request("/api/session", { headers: { cookie: cookieOf(res) } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ signedIn: true, csrfToken: body.csrfToken, demo: false });
    const flows = await app.request("/api/flows", { headers: { cookie: cookieOf(res) } });
    expect(flows.status).toBe(200);
  });

  it("marks the cookie Secure when the browser came over https", async () => {
    const res = await app.request("https://hl.example.com/api/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: API_TOKEN }),
    });
    expect(res.headers.get("set-cookie")).toMatch(/Secure/);
  });

  it("refuses a wrong token without saying why, and sets no cookie", async () => {
    for (const token of ["nope", "", API_TOKEN.slice(0, -1), 42]) {
      const res = await app.request("/api/session", {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "ignored" },
        body: JSON.stringify({ token }),
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: "sign-in refused" });
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    const none = await app.request("/api/session");
    expect(none.status).toBe(401);
    const forgedCookie = await app.request("/api/flows", { headers: { cookie: "hlconnect_session=forged" } });
    expect(forgedCookie.status).toBe(401);
  });

  it("limits sign-in attempts per address", async () => {
    const logger = quietLogger();
    const limited = createApp({ engine, apiToken: API_TOKEN, logger }).app;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await limited.request("/api/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: `guess-${i}` }),
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Even the right token is turned away until the window ends.
    const right = await limited.request("/api/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: API_TOKEN }),
    });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("signs in from the one-click link and drops the token from the address", async () => {
    const res = await app.request(`/login?token=${API_TOKEN}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/");
    const cookie = cookieOf(res);
    expect((await app.request("/api/flows", { headers: { cookie } })).status).toBe(200);
    const bad = await app.request("/login?token=wrong");
    expect(bad.status).toBe(302);
    expect(bad.headers.get("location")).toBe("/#/signin?error=1");
    expect(bad.headers.get("set-cookie")).toBeNull();
  });

  it("signs out: the session stops working", async () => {
    const { cookie, csrf } = await signIn();
    const noCsrf = await app.request("/api/session", { method: "DELETE", headers: { cookie } });
    expect(noCsrf.status).toBe(403);
    const out = await app.request("/api/session", {
      method: "DELETE",
      headers: { cookie, "x-csrf-token": csrf },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/hlconnect_session=;.*Max-Age=0/);
    expect((await app.request("/api/flows", { headers: { cookie } })).status).toBe(401);
  });
});

describe("Connect with HighLevel", () => {
  it("lets a signed-in browser start OAuth with its cookie (a plain navigation, no token)", async () => {
    const logger = quietLogger();
    const withOAuth = createApp({
      engine,
      apiToken: API_TOKEN,
      logger,
      oauth: {
        settings: {
          clientId: "app123-client",
          clientSecret: "client-secret",
          marketplaceUrl: "http://127.0.0.1:9/oauth/chooselocation",
          apiBaseUrl: "http://127.0.0.1:9",
        },
        publicUrl: "http://127.0.0.1:3000",
      },
    }).app;
    const { cookie } = await signIn(withOAuth);
    const start = await withOAuth.request("/oauth/start", { headers: { cookie, accept: "text/html" } });
    expect(start.status).toBe(302);
    expect(start.headers.get("location")).toMatch(/^http:\/\/127\.0\.0\.1:9\/oauth\/chooselocation\?/);
    const anonymous = await withOAuth.request("/oauth/start", { headers: { accept: "application/json" } });
    expect(anonymous.status).toBe(401);
    const status = await withOAuth.request("/api/oauth/status", { headers: { cookie } });
    expect(await status.json()).toMatchObject({ configured: true, startUrl: "/oauth/start" });
  });
});

describe("CSRF", () => {
  it("refuses a cookie-authenticated change without the CSRF header or with a forged one; nothing changes", async () => {
    const { cookie, csrf } = await signIn();
    const create = (headers: Record<string, string>) =>
      app.request("/api/flows", {
        method: "POST",
        headers: { cookie, "content-type": "application/json", ...headers },
        body: JSON.stringify({ source: FLOW }),
      });
    const missing = await create({});
    expect(missing.status).toBe(403);
    expect(await missing.json()).toEqual({ error: "missing or wrong CSRF token" });
    const forged = await create({ "x-csrf-token": `${csrf.slice(0, -2)}xx` });
    expect(forged.status).toBe(403);
    // Another session's token is no good either.
    const other = await signIn();
    expect((await create({ "x-csrf-token": other.csrf })).status).toBe(403);
    expect(await engine.store.getFlow("hello")).toBeUndefined();

    const ok = await create({ "x-csrf-token": csrf });
    expect(ok.status).toBe(201);
    expect(await engine.store.getFlow("hello")).toBeDefined();
    const del = await app.request("/api/flows/hello", { method: "DELETE", headers: { cookie } });
    expect(del.status).toBe(403);
    expect(await engine.store.getFlow("hello")).toBeDefined();
    await engine.store.deleteFlow("hello");
  });

  it("keeps the bearer token working without any CSRF header", async () => {
    const res = await app.request("/api/flows", {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ source: FLOW.replace("hello", "hello-bearer") }),
    });
    expect(res.status).toBe(201);
    const wrong = await app.request("/api/flows", {
      headers: { authorization: "Bearer wrong", cookie: (await signIn()).cookie },
    });
    // A wrong bearer token is not rescued by a cookie.
    expect(wrong.status).toBe(401);
    await engine.store.deleteFlow("hello-bearer");
  });
});

describe("the web app's files", () => {
  it("serves index.html for browser navigations and immutable hashed assets", async () => {
    const root = await app.request("/");
    expect(root.status).toBe(200);
    expect(await root.text()).toContain("hlconnect app");
    expect(root.headers.get("cache-control")).toBe("no-cache");
    expect(root.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    const deep = await app.request("/flows/welcome/edit", { headers: { accept: "text/html" } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain("hlconnect app");
    const asset = await app.request("/assets/index-abc123.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await app.request("/favicon.svg")).headers.get("content-type")).toBe("image/svg+xml");
    expect((await app.request("/assets/missing.js")).status).toBe(404);
    expect((await app.request("/assets/..%2f..%2fdata%2fhlconnect.db")).status).toBe(404);
  });

  it("never answers the app's page for the API, hooks and machine endpoints", async () => {
    for (const p of ["/api/nothing", "/hooks", "/oauth/nothing", "/mcp", "/webhooks/nothing"]) {
      const res = await app.request(p, { headers: { accept: "text/html" } });
      expect(res.status, p).toBeGreaterThanOrEqual(400);
      expect(await res.text(), p).not.toContain("hlconnect app");
    }
    const api404 = await app.request("/api/nothing", {
      headers: { accept: "text/html", authorization: `Bearer ${API_TOKEN}` },
    });
    expect(api404.headers.get("content-type")).toMatch(/json/);
  });

  it("answers a failing page with a page that says what to do next, never a stack", async () => {
    // index.html that cannot be read (a folder): the server fails while answering a browser.
    const broken = path.join(dir, "broken-dist");
    mkdirSync(path.join(broken, "index.html"), { recursive: true });
    const logger = quietLogger();
    const brokenApp = createApp({ engine, apiToken: API_TOKEN, logger, webDist: broken }).app;
    const res = await brokenApp.request("/flows", { headers: { accept: "text/html" } });
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const text = await res.text();
    expect(text).toContain("Something went wrong");
    expect(text).toMatch(/Try again, or go to <a href="\/">the home page<\/a>/);
    expect(text).not.toMatch(/EISDIR|at .*\.ts:\d+|node:internal/);
    // The API keeps answering JSON for the same kind of failure.
    const api = await brokenApp.request("/api/nothing", {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(api.headers.get("content-type")).toMatch(/json/);
  });

  it("says how to build the app when it is not built", async () => {
    const res = await bareApp.request("/", { headers: { accept: "text/html" } });
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).toContain("npm run build");
    expect(text).not.toMatch(/at .*\.ts:\d+/);
    // The API is unaffected.
    const api = await bareApp.request("/api/flows", { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(api.status).toBe(200);
  });
});
