// One HTTP exchange with a timeout, and an honest account of failures: whether the request may have
// reached HighLevel decides whether a non-idempotent call can be repeated.
import http from "node:http";
import https from "node:https";
import { HighLevelError } from "./errors.ts";
import type { HttpMethod } from "./operation.ts";
import { redact } from "./redact.ts";

export interface PreparedRequest {
  method: HttpMethod | "HEAD";
  url: string;
  /** Everything but Authorization, which the executor adds per attempt. */
  headers: Record<string, string>;
  body?: string | FormData | URLSearchParams;
  operationId: string;
  /** Whether sending it twice is harmless (see isSafeToRepeat). */
  safeToRepeat: boolean;
  /** Rate-limit bucket: token owner + location or company id. */
  bucket: string;
}

export interface TransportResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, else the text, else undefined for an empty body. */
  body: unknown;
}

export interface SendOptions {
  timeoutMs: number;
  fetch?: typeof fetch;
  /** The caller's cancellation: its reason is rethrown as is, not turned into a HighLevelError. */
  signal?: AbortSignal;
}

/** No answer came: `sentUncertain` says whether the server may nevertheless have acted on the request. */
export class TransportError extends HighLevelError {
  readonly sentUncertain: boolean;
  /** The system error code behind the failure (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, ...), if any. */
  readonly systemCode: string | undefined;

  constructor(
    message: string,
    init: {
      code: "TIMEOUT" | "NETWORK_ERROR";
      operationId: string;
      sentUncertain: boolean;
      systemCode?: string;
      cause?: unknown;
    },
  ) {
    super(message, { code: init.code, operationId: init.operationId, retryable: true, cause: init.cause });
    this.name = "TransportError";
    this.sentUncertain = init.sentUncertain;
    this.systemCode = init.systemCode;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), sentUncertain: this.sentUncertain, systemCode: this.systemCode };
  }
}

// Failures before a single byte of the request left: nothing can have happened on the server.
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "EAI_FAIL",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  // TLS handshake failures: the HTTP request is only written after the handshake.
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** System codes along the cause chain (undici wraps them: TypeError("fetch failed", {cause})). */
function systemCodes(err: unknown, depth = 0): string[] {
  if (!err || typeof err !== "object" || depth > 5) return [];
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  const codes: string[] = typeof e.code === "string" ? [e.code] : [];
  if (Array.isArray(e.errors)) for (const inner of e.errors) codes.push(...systemCodes(inner, depth + 1));
  codes.push(...systemCodes(e.cause, depth + 1));
  return codes;
}

/** The innermost cause's message ("bad port", "other side closed"), for errors without a system code. */
function causeMessage(err: unknown): string | undefined {
  let cur: unknown = err;
  let msg: string | undefined;
  for (let depth = 0; cur && typeof cur === "object" && depth < 5; depth++) {
    const m = (cur as { message?: unknown }).message;
    if (typeof m === "string" && m && m !== "fetch failed") msg = m;
    cur = (cur as { cause?: unknown }).cause;
  }
  return msg ? redact(msg) : undefined;
}

/** The URL without its query string: queries can hold e-mails and phone numbers. */
function describeTarget(req: PreparedRequest): string {
  try {
    const u = new URL(req.url);
    return `${req.method} ${u.origin}${u.pathname}`;
  } catch {
    return req.method;
  }
}

/** Recordings, images and documents come back as bytes (a Buffer), never as mangled text. */
export function isBinary(contentType: string | null): boolean {
  return !!contentType && /^(audio|video|image)\/|^application\/(octet-stream|pdf|zip)/i.test(contentType);
}

export function parseBody(text: string, contentType: string | null): unknown {
  if (!text.trim()) return undefined;
  const looksJson = /^\s*[[{]/.test(text);
  if ((contentType && /[/+]json\b/i.test(contentType)) || looksJson) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * Send one request. Without an injected `fetch`, node's own http/https with keep-alive agents carry
 * it: about twice the request rate of the global fetch at low concurrency, measured in bench/.
 */
export async function send(req: PreparedRequest, opts: SendOptions): Promise<TransportResponse> {
  if (!opts.fetch && !(req.body instanceof FormData)) return sendViaNode(req, opts);
  return sendViaFetch(req, opts);
}

async function sendViaFetch(req: PreparedRequest, opts: SendOptions): Promise<TransportResponse> {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout.signal]) : timeout.signal;
  try {
    const res = await doFetch(req.url, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      signal,
    });
    // The timeout covers the body too: a stalled body is as much "no answer" as a stalled header.
    const type = res.headers.get("content-type");
    const body = isBinary(type) ? Buffer.from(await res.arrayBuffer()) : parseBody(await res.text(), type);
    return { status: res.status, headers: res.headers, body };
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (
      !timeout.signal.aborted &&
      err instanceof TypeError &&
      err.message !== "fetch failed" &&
      !systemCodes(err).length
    ) {
      // fetch rejected the request itself (bad URL, header, body) before any I/O. Its message may quote
      // a header value, so neither it nor the original error is kept unredacted.
      throw new HighLevelError(`${req.operationId}: the request could not be sent: ${err.message}`, {
        code: "INVALID_REQUEST",
        operationId: req.operationId,
        retryable: false,
        cause: new Error(redact(err.message)),
      });
    }
    throw failure(req, opts, err, timeout.signal.aborted);
  } finally {
    clearTimeout(timer);
  }
}

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

function sendViaNode(req: PreparedRequest, opts: SendOptions): Promise<TransportResponse> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      reject(
        new HighLevelError(`${req.operationId}: the request could not be sent: invalid URL`, {
          code: "INVALID_REQUEST",
          operationId: req.operationId,
        }),
      );
      return;
    }
    if (opts.signal?.aborted) {
      reject(opts.signal.reason);
      return;
    }
    const secure = url.protocol === "https:";
    const body = req.body === undefined ? undefined : String(req.body);
    const headers: Record<string, string> = { ...req.headers };
    if (body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(body));
    let timedOut = false;
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      fn();
    };
    const request = (secure ? https : http).request(
      url,
      { method: req.method, headers, agent: secure ? agents.https : agents.http },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (err) => done(() => reject(failure(req, opts, err, timedOut))));
        res.on("end", () =>
          done(() => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (Array.isArray(v)) for (const x of v) h.append(k, x);
              else if (v !== undefined) h.set(k, v);
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: h,
              body: isBinary(h.get("content-type"))
                ? Buffer.concat(chunks)
                : parseBody(Buffer.concat(chunks).toString("utf8"), h.get("content-type")),
            });
          }),
        );
      },
    );
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy(new Error("timeout"));
    }, opts.timeoutMs);
    const onAbort = () => {
      request.destroy();
      done(() => reject(opts.signal?.reason));
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    request.on("error", (err) => done(() => reject(failure(req, opts, err, timedOut))));
    request.end(body);
  });
}

/** Turn a failed exchange into a TransportError that says whether the request may have been acted on. */
function failure(req: PreparedRequest, opts: SendOptions, err: unknown, timedOut: boolean): TransportError {
  if (timedOut) {
    return new TransportError(
      `${req.operationId}: ${describeTarget(req)} got no answer within ${opts.timeoutMs} ms`,
      {
        code: "TIMEOUT",
        operationId: req.operationId,
        sentUncertain: true,
        cause: err,
      },
    );
  }
  const codes = systemCodes(err);
  const systemCode = codes[0];
  const reason = systemCode ?? causeMessage(err);
  // Unknown failures count as "may have been sent": a wrong "not sent" could duplicate a create.
  const sentUncertain = !(codes.length > 0 && codes.every((c) => NOT_SENT_CODES.has(c)));
  return new TransportError(
    `${req.operationId}: ${describeTarget(req)} failed without an answer` +
      `${reason ? ` (${reason})` : ""}${sentUncertain ? "" : "; nothing was sent"}`,
    {
      code: "NETWORK_ERROR",
      operationId: req.operationId,
      sentUncertain,
      cause: err,
      ...(systemCode ? { systemCode } : {}),
    },
  );
}
