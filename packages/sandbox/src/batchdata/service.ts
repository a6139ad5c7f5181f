// BatchData's API as the sandbox emulates it, mounted under /batchdata on the sandbox's port:
// POST /batchdata/api/v1/property/skip-trace and POST /batchdata/api/v1/phone/dnc, behind their
// own bearer token and a per-token limit of 3,000 requests a minute. Shapes: SPEC-DEVIATIONS.md.
import { type BatchDataPerson, personsFor, phoneFlags, propertyKey, tenDigits } from "./generate.ts";

export interface BatchDataOptions {
  /** Requests per window per token (default 3,000 per 60,000 ms). */
  rateLimit?: { max: number; windowMs: number };
}

export interface ExternalAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  /** For the request log: "batchdata:skip-trace", "batchdata:dnc", ... */
  operationId: string | null;
}

/** Most items one call may carry (BatchData's documented batch size). */
export const MAX_ITEMS = 100;
export const BATCHDATA_PREFIX = "/batchdata";

const TEXT: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  429: "Too Many Requests",
};

function answer(status: number, results?: unknown, message?: string, headers: Record<string, string> = {}) {
  return {
    status,
    body: {
      status: { code: status, text: TEXT[status] ?? "Error", ...(message ? { message } : {}) },
      ...(results === undefined ? {} : { results }),
    },
    headers,
  };
}

export class BatchDataService {
  private window = -1;
  private used = new Map<string, number>();
  private readonly max: number;
  private readonly windowMs: number;

  constructor(
    private readonly seed: number,
    /** The token that opens the API (Authorization: Bearer TOKEN). */
    readonly token: string,
    private readonly now: () => number,
    options: BatchDataOptions = {},
  ) {
    this.max = options.rateLimit?.max ?? 3000;
    this.windowMs = options.rateLimit?.windowMs ?? 60_000;
  }

  reset(): void {
    this.used.clear();
  }

  /** The answer for a request under /batchdata, or undefined when the path is not ours. */
  handle(
    method: string,
    pathname: string,
    authorization: string | undefined,
    raw: Buffer,
  ): ExternalAnswer | undefined {
    if (pathname !== BATCHDATA_PREFIX && !pathname.startsWith(`${BATCHDATA_PREFIX}/`)) return undefined;
    const path = pathname.slice(BATCHDATA_PREFIX.length).replace(/\/+$/, "");
    const route = ROUTES[path];
    const operationId = route ? `batchdata:${route.name}` : null;
    if (!route) return { ...answer(404, undefined, `Cannot ${method} ${pathname}`), operationId };
    if (method !== "POST") return { ...answer(405, undefined, `${path} takes POST`), operationId };
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
    if (token !== this.token)
      return { ...answer(401, undefined, "Invalid or missing API token"), operationId };
    const rate = this.take(token);
    if (rate.refused) return { ...rate.refused, operationId };
    let body: unknown;
    try {
      body = raw.length ? JSON.parse(raw.toString("utf8")) : undefined;
    } catch (e) {
      return { ...answer(400, undefined, `Invalid JSON: ${(e as Error).message}`), operationId };
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      return { ...answer(400, undefined, "The body must be a JSON object"), operationId };
    }
    const out = route.run(this.seed, body as Record<string, unknown>);
    return { ...out, headers: { ...rate.headers, ...out.headers }, operationId };
  }

  /** Fixed windows on the sandbox clock: tests step time instead of sleeping. */
  private take(token: string): { headers: Record<string, string>; refused?: ReturnType<typeof answer> } {
    const t = this.now();
    const window = Math.floor(t / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.used.clear();
    }
    const used = this.used.get(token) ?? 0;
    const headers = {
      "X-RateLimit-Limit": String(this.max),
      "X-RateLimit-Remaining": String(Math.max(0, this.max - used - 1)),
    };
    if (used >= this.max) {
      const retryAfter = Math.max(1, Math.ceil(((window + 1) * this.windowMs - t) / 1000));
      const message = `Rate limit of ${this.max} requests per ${this.windowMs / 1000}s exceeded`;
      return {
        headers,
        refused: answer(429, undefined, message, { ...headers, "Retry-After": String(retryAfter) }),
      };
    }
    this.used.set(token, used + 1);
    return { headers };
  }
}

type Route = {
  name: string;
  run(seed: number, body: Record<string, unknown>): Omit<ExternalAnswer, "operationId">;
};

function list(body: Record<string, unknown>, field: string) {
  const items = body[field];
  if (!Array.isArray(items)) return answer(400, undefined, `"${field}" must be a list`);
  if (items.length === 0) return answer(400, undefined, `"${field}" is empty`);
  if (items.length > MAX_ITEMS) {
    return answer(400, undefined, `"${field}" holds ${items.length} items; at most ${MAX_ITEMS} per call`);
  }
  return items as unknown[];
}

interface SkipTraceRequest {
  requestId?: string;
  propertyAddress?: { street: string; city?: string; state?: string; zip?: string };
  apn?: string;
  county?: string;
  state?: string;
  name?: { first?: string; last?: string };
}

const ROUTES: Record<string, Route> = {
  "/api/v1/property/skip-trace": {
    name: "skip-trace",
    run(seed, body) {
      const items = list(body, "requests");
      if (!Array.isArray(items)) return items;
      const persons: Array<Record<string, unknown>> = [];
      let matchCount = 0;
      let errorCount = 0;
      items.forEach((item, requestIndex) => {
        const req = (item && typeof item === "object" ? item : {}) as SkipTraceRequest;
        const echo = {
          requestIndex,
          ...(typeof req.requestId === "string" ? { requestId: req.requestId } : {}),
        };
        const key = propertyKey(req);
        if (!key) {
          errorCount++;
          persons.push({
            meta: {
              ...echo,
              matched: false,
              error: "a request needs propertyAddress {street, zip or city+state} or apn + county + state",
            },
          });
          return;
        }
        const found: BatchDataPerson[] = personsFor(seed, key, req.name);
        if (found.length === 0) {
          persons.push({ ...where(req), meta: { ...echo, matched: false } });
          return;
        }
        matchCount++;
        for (const p of found) persons.push({ ...where(req), ...p, meta: { ...echo, matched: true } });
      });
      return answer(200, {
        persons,
        meta: {
          requestCount: items.length,
          matchCount,
          noMatchCount: items.length - matchCount - errorCount,
          errorCount,
        },
      });
    },
  },
  "/api/v1/phone/dnc": {
    name: "dnc",
    run(seed, body) {
      const items = list(body, "phones");
      if (!Array.isArray(items)) return items;
      const phones = items.map((raw) => {
        const digits = tenDigits(raw);
        if (!digits) return { number: String(raw), error: "not a valid US phone number" };
        return { number: digits, ...phoneFlags(seed, digits) };
      });
      return answer(200, { phones, meta: { requestCount: items.length } });
    },
  },
};

/** The property the person was found for, as the request named it. */
function where(req: SkipTraceRequest): Record<string, unknown> {
  if (req.apn) return { apn: req.apn, county: req.county, state: req.state };
  return { propertyAddress: req.propertyAddress };
}
