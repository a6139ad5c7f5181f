import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DailyLimitError, HighLevelError, UnknownOutcomeError } from "../src/errors.ts";
import { type ExecutorDeps, type ExecutorLogger, executeRequest } from "../src/executor.ts";
import { InMemoryRateLimiter } from "../src/rate-limit/limiter.ts";
import { backoffDelay, DEFAULT_RETRY, isSafeToRepeat } from "../src/retry.ts";
import { type PreparedRequest, parseBody, send, TransportError } from "../src/transport.ts";

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Handler = (req: Recorded, res: http.ServerResponse, n: number) => void;

const servers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((close) => close()));
});

/** A local HighLevel stand-in: `handle` answers the n-th request (1-based); every request is recorded. */
async function startServer(handle: Handler) {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const r = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      requests.push(r);
      handle(r, res, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  servers.push(close);
  return { url: `http://127.0.0.1:${port}`, requests };
}

/** A port nobody listens on: connecting to it is refused. */
async function deadPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const RATE_HEADERS = {
  "X-RateLimit-Max": "100",
  "X-RateLimit-Interval-Milliseconds": "10000",
  "X-RateLimit-Limit-Daily": "200000",
  "X-RateLimit-Daily-Remaining": "199000",
};

function getContact(base: string, over: Partial<PreparedRequest> = {}): PreparedRequest {
  return {
    method: "GET",
    url: `${base}/contacts/c1?locationId=loc1`,
    headers: { Accept: "application/json", Version: "2021-07-28" },
    operationId: "get-contact",
    safeToRepeat: true,
    bucket: "owner:loc1",
    ...over,
  };
}

function createContact(base: string): PreparedRequest {
  return getContact(base, {
    method: "POST",
    url: `${base}/contacts/`,
    headers: { Accept: "application/json", Version: "2021-07-28", "Content-Type": "application/json" },
    body: JSON.stringify({ locationId: "loc1", email: "a@example.com" }),
    operationId: "create-contact",
    safeToRepeat: false,
  });
}

/** Deps with virtual time: limiter waits and backoff sleeps are recorded, never really slept. */
function makeDeps(over: Partial<ExecutorDeps> = {}) {
  let now = 0;
  const limiterWaits: number[] = [];
  const backoffs: number[] = [];
  const limiter = new InMemoryRateLimiter({
    now: () => now,
    sleep: async (ms) => {
      limiterWaits.push(ms);
      now += ms;
    },
  });
  const deps: ExecutorDeps = {
    limiter,
    retry: DEFAULT_RETRY,
    timeoutMs: 5_000,
    authorize: async () => "tok_live_5f3a9c2e81d04b7a",
    sleep: async (ms) => {
      backoffs.push(ms);
    },
    random: () => 0.5,
    ...over,
  };
  return { deps, limiter, limiterWaits, backoffs, now: () => now };
}

describe("executeRequest", () => {
  it("waits out a 429 and succeeds without spending a retry attempt", async () => {
    const server = await startServer((_req, res, n) => {
      if (n === 1)
        json(res, 429, { message: "Too many requests" }, { ...RATE_HEADERS, "X-RateLimit-Remaining": "0" });
      else json(res, 200, { contact: { id: "c1" } }, { ...RATE_HEADERS, "X-RateLimit-Remaining": "99" });
    });
    const t = makeDeps({ retry: { ...DEFAULT_RETRY, maxAttempts: 1 } });
    const res = await executeRequest(getContact(server.url), t.deps);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ contact: { id: "c1" } });
    expect(res.headers.get("x-ratelimit-remaining")).toBe("99");
    expect(server.requests).toHaveLength(2);
    expect(t.backoffs).toEqual([]); // no retry backoff: the limiter did the waiting
    expect(t.now()).toBeGreaterThanOrEqual(10_000); // one full window
  });

  it("gives up with RATE_LIMITED after max429Waits", async () => {
    const server = await startServer((_req, res) => json(res, 429, { message: "Too many requests" }));
    const t = makeDeps({ retry: { ...DEFAULT_RETRY, max429Waits: 3 } });
    const err = await executeRequest(getContact(server.url), t.deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HighLevelError);
    expect((err as HighLevelError).code).toBe("RATE_LIMITED");
    expect((err as HighLevelError).status).toBe(429);
    expect(server.requests).toHaveLength(4); // 3 waited out, the 4th gives up
  });

  it("retries a GET that answers 500 twice, then succeeds, with jittered exponential backoff", async () => {
    const server = await startServer((_req, res, n) => {
      if (n <= 2) json(res, 500, { statusCode: 500, message: "Internal server error" });
      else json(res, 200, { ok: true });
    });
    const t = makeDeps();
    const res = await executeRequest(getContact(server.url), t.deps);
    expect(res.body).toEqual({ ok: true });
    expect(server.requests).toHaveLength(3);
    expect(t.backoffs).toEqual([250, 500]); // random 0.5 of 500 and of 1000
  });

  it("never sends a GET more than maxAttempts times", async () => {
    const server = await startServer((_req, res) => json(res, 503, { message: "unavailable" }));
    const t = makeDeps({ retry: { ...DEFAULT_RETRY, maxAttempts: 3 } });
    const err = (await executeRequest(getContact(server.url), t.deps).catch(
      (e: unknown) => e,
    )) as HighLevelError;
    expect(err).toBeInstanceOf(HighLevelError);
    expect(err).toMatchObject({
      code: "HTTP_ERROR",
      status: 503,
      retryable: true,
      messages: ["unavailable"],
    });
    expect(server.requests).toHaveLength(3);
    expect(t.backoffs).toHaveLength(2);
  });

  it("never retries a GET whose connection keeps being reset more than maxAttempts times", async () => {
    const server = await startServer((_req, res) => res.socket?.destroy());
    const t = makeDeps({ retry: { ...DEFAULT_RETRY, maxAttempts: 2 } });
    const err = await executeRequest(getContact(server.url), t.deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe("NETWORK_ERROR");
    expect(server.requests).toHaveLength(2);
  });

  it("does not repeat a create that timed out: UnknownOutcomeError after exactly one request", async () => {
    const server = await startServer(() => {
      // Never answers: the create may or may not have been stored.
    });
    const t = makeDeps({ timeoutMs: 300 });
    const err = await executeRequest(createContact(server.url), t.deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownOutcomeError);
    expect((err as UnknownOutcomeError).code).toBe("UNKNOWN_OUTCOME");
    expect((err as UnknownOutcomeError).operationId).toBe("create-contact");
    const cause = (err as Error).cause as TransportError;
    expect(cause).toBeInstanceOf(TransportError);
    expect(cause).toMatchObject({ code: "TIMEOUT", sentUncertain: true });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.method).toBe("POST");
    expect(t.backoffs).toEqual([]);
  });

  it("does not repeat a create whose connection was reset after it was sent", async () => {
    const server = await startServer((_req, res) => res.socket?.destroy());
    const t = makeDeps();
    const err = await executeRequest(createContact(server.url), t.deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownOutcomeError);
    expect(((err as Error).cause as TransportError).sentUncertain).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it("retries a create refused before anything was sent", async () => {
    const server = await startServer((req, res) =>
      json(res, 201, { contact: { id: "new", body: req.body } }),
    );
    const refused = `http://127.0.0.1:${await deadPort()}`;
    let calls = 0;
    // The first attempt goes to a port nobody listens on, the second to the server.
    const routed: typeof fetch = (input, init) => {
      calls++;
      const url = String(input);
      return fetch(calls === 1 ? url.replace(server.url, refused) : url, init);
    };
    const t = makeDeps({ fetch: routed });
    const res = await executeRequest(createContact(server.url), t.deps);
    expect(res.status).toBe(201);
    expect(calls).toBe(2);
    expect(server.requests).toHaveLength(1); // created once
    expect(t.backoffs).toHaveLength(1);
  });

  it("answers a create's 502 with the server's error, not an unknown outcome, and does not repeat it", async () => {
    const server = await startServer((_req, res) => json(res, 502, { message: "Bad gateway" }));
    const t = makeDeps();
    const err = await executeRequest(createContact(server.url), t.deps).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(UnknownOutcomeError);
    expect(err).toMatchObject({ code: "HTTP_ERROR", status: 502, messages: ["Bad gateway"] });
    expect(server.requests).toHaveLength(1);
  });

  it("calls onUnauthorized once after a 401 and retries with the fresh token", async () => {
    const server = await startServer((req, res) => {
      if (req.headers.authorization === "Bearer fresh-token-123456") json(res, 200, { ok: true });
      else json(res, 401, { statusCode: 401, message: "Invalid JWT", error: "Unauthorized" });
    });
    let token = "stale-token-123456";
    const onUnauthorized = vi.fn(async () => {
      token = "fresh-token-123456";
      return true;
    });
    const t = makeDeps({ authorize: async () => token, onUnauthorized });
    const res = await executeRequest(getContact(server.url), t.deps);
    expect(res.status).toBe(200);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      "Bearer stale-token-123456",
      "Bearer fresh-token-123456",
    ]);
  });

  it("does not loop on 401: onUnauthorized once, then the 401 error", async () => {
    const server = await startServer((_req, res) =>
      json(res, 401, { statusCode: 401, message: "Invalid JWT", error: "Unauthorized" }),
    );
    const onUnauthorized = vi.fn(async () => true);
    const t = makeDeps({ onUnauthorized });
    const err = await executeRequest(getContact(server.url), t.deps).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "HTTP_ERROR",
      status: 401,
      messages: ["Invalid JWT"],
      retryable: false,
    });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(server.requests).toHaveLength(2);
  });

  it("turns a 422 into a HighLevelError with HighLevel's messages and traceId", async () => {
    const server = await startServer((_req, res) =>
      json(res, 422, { statusCode: 422, message: ["a", "b"], error: "Unprocessable Entity", traceId: "t1" }),
    );
    const t = makeDeps();
    const err = (await executeRequest(createContact(server.url), t.deps).catch(
      (e: unknown) => e,
    )) as HighLevelError;
    expect(err).toBeInstanceOf(HighLevelError);
    expect(err.code).toBe("HTTP_ERROR");
    expect(err.messages).toEqual(["a", "b"]);
    expect(err.traceId).toBe("t1");
    expect(err.status).toBe(422);
    expect(err.retryable).toBe(false);
    expect(err.operationId).toBe("create-contact");
    expect(server.requests).toHaveLength(1);
  });

  it("reports the operation in a DailyLimitError from the limiter", async () => {
    const server = await startServer((_req, res) =>
      json(
        res,
        200,
        {},
        { ...RATE_HEADERS, "X-RateLimit-Remaining": "50", "X-RateLimit-Daily-Remaining": "0" },
      ),
    );
    const t = makeDeps();
    await executeRequest(getContact(server.url), t.deps);
    const err = await executeRequest(getContact(server.url), t.deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DailyLimitError);
    expect((err as DailyLimitError).operationId).toBe("get-contact");
    expect(server.requests).toHaveLength(1);
  });

  it("rethrows the caller's abort as is", async () => {
    const server = await startServer(() => {});
    const ac = new AbortController();
    const t = makeDeps({ signal: ac.signal });
    const pending = executeRequest(getContact(server.url), t.deps).catch((e: unknown) => e);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    ac.abort(new Error("shutting down"));
    expect(((await pending) as Error).message).toBe("shutting down");
  });

  it("never lets the token reach an error message, its JSON, or a log line", async () => {
    const token = "tok_live_5f3a9c2e81d04b7a";
    const server = await startServer((req, res, n) => {
      const echoed = req.headers.authorization ?? "";
      if (n === 1) json(res, 500, { message: `upstream said ${echoed}` });
      else json(res, 400, { statusCode: 400, message: [`bad credential ${token}`, echoed], traceId: token });
    });
    const lines: string[] = [];
    const record = (obj: Record<string, unknown>, msg: string) => lines.push(JSON.stringify(obj) + msg);
    const logger: ExecutorLogger = { debug: record, info: record, warn: record };
    const t = makeDeps({ authorize: async () => token, logger });
    const err = (await executeRequest(getContact(server.url), t.deps).catch(
      (e: unknown) => e,
    )) as HighLevelError;
    expect(err).toBeInstanceOf(HighLevelError);
    expect(err.status).toBe(400);
    expect(lines.length).toBeGreaterThan(0);
    const surfaces = [
      err.message,
      String(err.stack),
      JSON.stringify(err),
      JSON.stringify(err.messages),
      JSON.stringify(err.body),
      ...lines,
    ];
    for (const text of surfaces) expect(text).not.toContain(token);

    // Same for a timeout of an unsafe request, logged and wrapped.
    const silent = await startServer(() => {});
    const t2 = makeDeps({ authorize: async () => token, logger, timeoutMs: 200 });
    const unknown = (await executeRequest(createContact(silent.url), t2.deps).catch(
      (e: unknown) => e,
    )) as Error;
    expect(unknown).toBeInstanceOf(UnknownOutcomeError);
    for (const text of [unknown.message, JSON.stringify(unknown), String(unknown.cause), ...lines]) {
      expect(text).not.toContain(token);
    }
  });
});

describe("send", () => {
  it("parses JSON, text and empty bodies", async () => {
    const server = await startServer((req, res) => {
      if (req.url === "/json") json(res, 200, { a: 1 });
      else if (req.url === "/untyped-json") res.end('{"b":2}');
      else if (req.url === "/text") res.writeHead(200, { "content-type": "text/plain" }).end("hello");
      else res.writeHead(204).end();
    });
    const get = (path: string) =>
      send(getContact(server.url, { url: server.url + path }), { timeoutMs: 5_000 });
    expect((await get("/json")).body).toEqual({ a: 1 });
    expect((await get("/untyped-json")).body).toEqual({ b: 2 });
    expect((await get("/text")).body).toBe("hello");
    const empty = await get("/empty");
    expect(empty.status).toBe(204);
    expect(empty.body).toBeUndefined();
    expect(parseBody("not json {", "application/json")).toBe("not json {");
  });

  it("classifies a refused connection as not sent, and a timeout as maybe sent", async () => {
    const refused = await send(getContact(`http://127.0.0.1:${await deadPort()}`), {
      timeoutMs: 5_000,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransportError);
    expect(refused).toMatchObject({
      code: "NETWORK_ERROR",
      sentUncertain: false,
      systemCode: "ECONNREFUSED",
    });

    const silent = await startServer(() => {});
    const timedOut = await send(getContact(silent.url), { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ code: "TIMEOUT", sentUncertain: true, retryable: true });
    // The query string (e-mails, phones) stays out of the message.
    expect((timedOut as Error).message).not.toContain("locationId");
  });

  it("classifies an injected fetch's system errors along the cause chain", async () => {
    const failing = (code: string): typeof fetch =>
      (async () => {
        throw new TypeError("fetch failed", { cause: Object.assign(new Error(code), { code }) });
      }) as typeof fetch;
    const run = (code: string) =>
      send(getContact("http://x.invalid"), { timeoutMs: 1_000, fetch: failing(code) }).catch(
        (e: unknown) => e,
      );
    expect(await run("ENOTFOUND")).toMatchObject({ sentUncertain: false });
    expect(await run("ECONNRESET")).toMatchObject({ sentUncertain: true });
    expect(await run("UND_ERR_SOCKET")).toMatchObject({ sentUncertain: true });
  });
});

describe("retry policy", () => {
  it("backs off exponentially with full jitter, capped", () => {
    const opts = { baseDelayMs: 500, maxDelayMs: 30_000 };
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, opts, () => 0.999999))).toEqual([499, 999, 1999, 3999]);
    expect(backoffDelay(3, opts, () => 0)).toBe(0);
    expect(backoffDelay(20, opts, () => 0.5)).toBe(15_000);
    expect(backoffDelay(5_000, opts, () => 0.5)).toBe(15_000);
  });

  it("repeats only idempotent requests, upserts and searches", () => {
    const op = (method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", operationId: string, path: string) => ({
      method,
      operationId,
      path,
    });
    expect(isSafeToRepeat(op("GET", "get-contact", "/contacts/{contactId}"))).toBe(true);
    expect(isSafeToRepeat(op("PUT", "update-contact", "/contacts/{contactId}"))).toBe(true);
    expect(isSafeToRepeat(op("DELETE", "delete-contact", "/contacts/{contactId}"))).toBe(true);
    expect(isSafeToRepeat(op("POST", "upsert-contact", "/contacts/upsert"))).toBe(true);
    expect(isSafeToRepeat(op("POST", "search-contacts-advanced", "/contacts/search"))).toBe(true);
    expect(isSafeToRepeat(op("POST", "x", "/opportunities/search"))).toBe(true);
    expect(isSafeToRepeat(op("POST", "searchUsers", "/users/find"))).toBe(true);
    expect(isSafeToRepeat(op("POST", "create-contact", "/contacts/"))).toBe(false);
    expect(isSafeToRepeat(op("PATCH", "research-notes", "/notes/research"))).toBe(false);
    expect(isSafeToRepeat(op("POST", "add-tags", "/contacts/{contactId}/tags"))).toBe(false);
  });
});

describe("binary answers", () => {
  it("returns audio and other binary bodies as the exact bytes", async () => {
    const { createServer } = await import("node:http");
    const bytes = Buffer.from([0x52, 0x49, 0x46, 0x46, 0xff, 0xfe, 0x00, 0x80]);
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "audio/x-wav" });
      res.end(bytes);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const { send } = await import("../src/transport.ts");
    try {
      const res = await send(
        {
          method: "GET",
          url: `http://127.0.0.1:${port}/x`,
          headers: {},
          operationId: "rec",
          safeToRepeat: true,
          bucket: "b",
        },
        { timeoutMs: 5000 },
      );
      expect(Buffer.isBuffer(res.body)).toBe(true);
      expect((res.body as Buffer).equals(bytes)).toBe(true);
    } finally {
      server.close();
    }
  });
});
