// /__sandbox/* : control endpoints for tests and tools (no token).
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sandboxCode } from "../auth/oauth.ts";
import type { State } from "../context.ts";
import { type FaultConfig, parseFaultConfig } from "../faults.ts";
import type { RequestLog } from "../request-log.ts";
import { parseBody } from "./body.ts";
import { ApiError, badRequest, notFound, unprocessable } from "./errors.ts";
import { sendJson } from "./send.ts";

export interface SettingsUpdate {
  locationId?: string;
  allowDuplicateContact?: boolean;
}

export interface TokenRequest {
  type?: "location" | "agency";
  kind?: "pit" | "oauth";
  scopes?: string[];
  locationId?: string;
  expiresInSeconds?: number;
}

export interface ControlApi {
  state: () => State;
  log: RequestLog;
  info: () => Record<string, unknown>;
  reset: () => void;
  setFaults: (config: FaultConfig | null) => void;
  getFaults: () => FaultConfig | null;
  updateSettings: (update: SettingsUpdate) => Record<string, unknown>;
  createToken: (request: TokenRequest) => string;
}

function since(value: string | null): number | undefined {
  if (value === null || value === "") return undefined;
  const n = Number(value);
  if (Number.isFinite(n)) return n;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw badRequest("since must be epoch milliseconds or an ISO date");
  return t;
}

export function controlRoutes(api: ControlApi) {
  return (req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer): void => {
    const traceId = randomUUID();
    const method = req.method ?? "GET";
    const route = `${method} ${url.pathname.replace(/\/$/, "")}`;
    try {
      const body = () =>
        (parseBody(raw, req.headers["content-type"] ?? "application/json") ?? {}) as Record<string, unknown>;
      let result: unknown;
      switch (route) {
        case "GET /__sandbox/info":
          result = api.info();
          break;
        case "GET /__sandbox/requests": {
          const after = url.searchParams.get("after");
          result = {
            requests: api.log.list({
              since: since(url.searchParams.get("since")),
              after: after === null ? undefined : Number(after),
            }),
          };
          break;
        }
        case "DELETE /__sandbox/requests":
          api.log.clear();
          result = { cleared: true };
          break;
        case "POST /__sandbox/reset":
          api.reset();
          result = { reset: true };
          break;
        case "GET /__sandbox/faults":
          result = { faults: api.getFaults() };
          break;
        case "POST /__sandbox/faults": {
          const parsed = parseFaultConfig(body());
          if (Array.isArray(parsed)) throw unprocessable(parsed);
          api.setFaults(parsed);
          result = { faults: parsed };
          break;
        }
        case "DELETE /__sandbox/faults":
          api.setFaults(null);
          result = { faults: null };
          break;
        case "POST /__sandbox/settings":
          result = api.updateSettings(body() as SettingsUpdate);
          break;
        case "POST /__sandbox/tokens":
          result = { token: api.createToken(body() as TokenRequest) };
          break;
        case "GET /__sandbox/oauth/code":
          result = sandboxCode(api.state(), url);
          break;
        case "GET /__sandbox/webhooks":
          result = { deliveries: api.state().webhooks.deliveries };
          break;
        default:
          throw notFound(`Cannot ${method} ${url.pathname}`);
      }
      sendJson(res, 200, result, traceId);
    } catch (err) {
      if (err instanceof ApiError) sendJson(res, err.status, err.body, traceId);
      else
        sendJson(
          res,
          400,
          { statusCode: 400, message: err instanceof Error ? err.message : String(err) },
          traceId,
        );
    }
  };
}
