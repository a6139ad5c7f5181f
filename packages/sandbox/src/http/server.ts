// The request pipeline. Order, and why:
//   route (404) → Version header (400) → pre-handler faults (429/500/502, nothing written)
//   → body parsing (400) → token (401) → token type / scope (401) → rate limit (429; auth
//   refusals never count) → schema validation (422) → location access (403) → handler (or
//   501) → post-handler faults (timeout/reset: the write happened, the answer is lost).
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import {
  assertCompanyAccess,
  assertLocationAccess,
  authorizeOperation,
  bearerToken,
  requestedLocations,
} from "../auth/access.ts";
import { chooseLocation } from "../auth/oauth.ts";
import type { Principal } from "../auth/tokens.ts";
import type { ExternalAnswer } from "../batchdata/index.ts";
import { getLocation, type Handler, type HandlerResult, type PublicHandler, type State } from "../context.ts";
import { type FaultInjector, type FaultKind, isBeforeHandler } from "../faults.ts";
import type { RateLimiter } from "../rate-limit.ts";
import type { RequestLog } from "../request-log.ts";
import type { SpecOperation } from "../spec/load.ts";
import { findOperation } from "../spec/router.ts";
import { checkRequest, VERSION_PATTERN } from "../spec/validate.ts";
import { parseBody, parseQuery, readRaw } from "./body.ts";
import { ApiError, badRequest, MESSAGES, unauthorized, unprocessable } from "./errors.ts";
import { sendJson, sendText } from "./send.ts";

export interface ServerDeps {
  state: () => State;
  limiter: RateLimiter;
  faults: FaultInjector;
  log: RequestLog;
  handlers: Map<string, Handler>;
  publicHandlers: Record<string, PublicHandler>;
  /** /__sandbox/* routes. */
  control: (req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer) => Promise<void> | void;
  /** Services emulated beside HighLevel (BatchData, Zapier catch hooks): an answer when the path is theirs. */
  external?: (
    method: string,
    pathname: string,
    authorization: string | undefined,
    raw: Buffer,
  ) => ExternalAnswer | undefined;
}

interface Outcome {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  fault: FaultKind | null;
  operation: SpecOperation | null;
  locationId: string | null;
}

export class ApiServer {
  readonly server: Server;
  /** Requests held open by the "timeout" fault; released (destroyed) on close. */
  private held = new Set<Socket>();

  constructor(private readonly deps: ServerDeps) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        if (!res.headersSent) sendJson(res, 500, { statusCode: 500, message: String(err) }, randomUUID());
        else res.destroy();
      });
    });
  }

  releaseHeld(): void {
    for (const s of this.held) s.destroy();
    this.held.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox.local");
    const raw = await readRaw(req);
    if (url.pathname === "/__sandbox" || url.pathname.startsWith("/__sandbox/")) {
      await this.deps.control(req, res, url, raw);
      return;
    }
    const external = this.deps.external?.(req.method ?? "GET", url.pathname, req.headers.authorization, raw);
    if (external) {
      // Not HighLevel: no Version header, HighLevel tokens or faults; logged like any request.
      this.deps.log.add({
        time: new Date(this.deps.state().now()).toISOString(),
        method: req.method ?? "GET",
        path: url.pathname,
        status: external.status,
        locationId: null,
        operationId: external.operationId,
        fault: null,
      });
      const text = JSON.stringify(external.body);
      sendText(res, external.status, text, "application/json; charset=utf-8", external.headers);
      return;
    }
    const traceId = randomUUID();
    const out = this.process(req, url, raw);
    const state = this.deps.state();
    this.deps.log.add({
      time: new Date(state.now()).toISOString(),
      method: req.method ?? "GET",
      path: url.pathname,
      status: out.fault === "timeout" || out.fault === "reset" ? 0 : out.status,
      locationId: out.locationId,
      operationId: out.operation?.key ?? null,
      fault: out.fault,
    });
    if (out.fault === "timeout") {
      // Never answer; the client gives up (or close() releases the socket).
      const socket = req.socket;
      this.held.add(socket);
      socket.once("close", () => this.held.delete(socket));
      return;
    }
    if (out.fault === "reset") {
      req.socket.destroy();
      return;
    }
    if (out.fault === "502") {
      sendText(res, 502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", out.headers);
      return;
    }
    if (out.status === 302) {
      res.writeHead(302, { ...out.headers, "content-length": 0 });
      res.end();
      return;
    }
    if (Buffer.isBuffer(out.body)) {
      // File downloads (call recordings, transcripts): the handler's headers name the content type.
      res.writeHead(out.status, { ...out.headers, "content-length": out.body.length, traceId });
      res.end(out.body);
      return;
    }
    sendJson(res, out.status, out.body, traceId, out.headers);
  }

  private process(req: IncomingMessage, url: URL, raw: Buffer): Outcome {
    const state = this.deps.state();
    const method = (req.method ?? "GET").toUpperCase();
    const out: Outcome = {
      status: 200,
      body: null,
      headers: {},
      fault: null,
      operation: null,
      locationId: null,
    };
    let principal: Principal | null = null;
    let fault: FaultKind | null = null;
    const rateKey = () =>
      principal
        ? `${principal.clientId ?? principal.token}|${principal.locationId ?? principal.companyId}`
        : null;
    try {
      if (method === "GET" && url.pathname.replace(/\/$/, "") === "/oauth/chooselocation") {
        const r = chooseLocation(state, url);
        return { ...out, status: r.status, headers: r.headers };
      }
      const match = findOperation(method, url.pathname);
      if (!match) {
        throw new ApiError(404, {
          statusCode: 404,
          message: `Cannot ${method} ${url.pathname}`,
          error: "Not Found",
        });
      }
      const op = match.operation;
      out.operation = op;
      const isPublic = op.key in this.deps.publicHandlers;
      if (!isPublic) {
        const version = req.headers.version;
        if (typeof version !== "string" || !version) throw badRequest(MESSAGES.noVersion);
        if (!VERSION_PATTERN.test(version)) throw badRequest("version header is invalid");
      }

      fault = this.deps.faults.draw(method, op.key, op.operationId);
      if (fault && isBeforeHandler(fault)) {
        out.fault = fault;
        const status = Number(fault);
        const message = status === 429 ? MESSAGES.tooMany : "Internal server error";
        return {
          ...out,
          status,
          body: { statusCode: status, message },
          headers: this.deps.limiter.peek(null),
        };
      }

      const body = parseBody(raw, req.headers["content-type"]);
      const query = parseQuery(url.searchParams);
      let result: HandlerResult;
      if (isPublic) {
        const v = checkRequest(
          op,
          { path: match.params, query, headers: req.headers as Record<string, unknown>, body },
          { checkVersion: false },
        );
        if (!v.valid) throw unprocessable(v.errors);
        const run = this.deps.publicHandlers[op.key]!;
        result = state.db.transaction(() => run({ state, op, params: match.params, query, body }))();
      } else {
        const token = bearerToken(req.headers.authorization);
        principal = token ? state.tokens.lookup(token) : null;
        if (!principal) throw unauthorized(MESSAGES.invalidToken);
        const who: Principal = principal;
        out.locationId = who.locationId;
        authorizeOperation(op, who);

        const rate = this.deps.limiter.take(rateKey()!);
        out.headers = rate.headers;
        if (!rate.allowed) {
          throw new ApiError(429, { statusCode: 429, message: MESSAGES.tooMany }, rate.headers);
        }

        const v = checkRequest(
          op,
          { path: match.params, query, headers: req.headers as Record<string, unknown>, body },
          { checkVersion: false },
        );
        if (!v.valid) throw unprocessable(v.errors);

        const lookup = { companyOf: (id: string) => getLocation(state, id)?.companyId };
        for (const loc of requestedLocations(match.params, query, body)) {
          out.locationId ??= loc;
          assertLocationAccess(who, loc, lookup);
        }
        assertCompanyAccess(who, query, body);

        const handler = this.deps.handlers.get(op.key);
        if (!handler) {
          throw new ApiError(501, {
            statusCode: 501,
            message: `${op.operationId} is not emulated by the sandbox yet`,
            error: "Not Implemented",
          });
        }
        const ctx = {
          state,
          op,
          params: match.params,
          query,
          body: body ?? {},
          principal: who,
          ensureLocation: (locationId: string) => assertLocationAccess(who, locationId, lookup),
        };
        result = state.db.transaction(() => handler(ctx))();
      }
      out.status = result.status ?? 200;
      out.body = result.body;
      out.headers = { ...out.headers, ...result.headers };
      if (fault) out.fault = fault; // timeout / reset: the handler's work stands
      return out;
    } catch (caught) {
      const err =
        caught instanceof ApiError
          ? caught
          : new ApiError(500, { statusCode: 500, message: "Internal server error", error: String(caught) });
      if (fault && !isBeforeHandler(fault)) out.fault = fault; // the answer is lost whatever it was
      const headers = {
        ...(principal ? this.deps.limiter.peek(rateKey()) : this.deps.limiter.peek(null)),
        ...out.headers,
        ...err.headers,
      };
      return { ...out, status: err.status, body: err.body, headers: out.operation ? headers : err.headers };
    }
  }
}
