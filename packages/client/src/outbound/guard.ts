// One guard for every request to a URL a user gave (alert webhooks, Zapier catch hooks, any URL a
// flow maps from a payload): http(s) only; the host is resolved and every address it resolves to
// must be public, checked again at connect time (so DNS cannot change its answer in between) and at
// every redirect; a time limit and a size limit; and callers keep only a status and a short excerpt.
// Loopback, private, link-local (cloud metadata) and other special ranges are refused unless the
// operator allows them with HLCONNECT_ALLOW_PRIVATE_URLS ("1" for all, or a list of hosts and CIDRs).
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";

export interface OutboundPolicy {
  /** Allow every private address (HLCONNECT_ALLOW_PRIVATE_URLS=1). */
  allowPrivate?: boolean;
  /** Hosts (exact names or IP addresses) and CIDRs allowed even though private. */
  allow?: string[];
  /** Whole request, redirects included. Default 10 s. */
  timeoutMs?: number;
  /** The most of an answer read; the rest is dropped. Default 64 KiB. */
  maxBytes?: number;
  /** Default 3. */
  maxRedirects?: number;
}

export type OutboundRefusal = "scheme" | "private_address" | "unresolvable" | "too_many_redirects";

/** The URL may not be fetched: the message says why and how to allow it. */
export class OutboundRefusedError extends Error {
  constructor(
    readonly reason: OutboundRefusal,
    message: string,
  ) {
    super(message);
    this.name = "OutboundRefusedError";
  }
}

export interface OutboundAnswer {
  status: number;
  ok: boolean;
  /** The final URL, after redirects. */
  url: string;
  /** The answer's start (at most maxBytes), as text. */
  body: string;
  /** Whether the answer was longer than what was read. */
  truncated: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 64 * 1024;
const DEFAULT_MAX_REDIRECTS = 3;
/** What callers store of an answer. */
export const EXCERPT_CHARS = 200;

/** HLCONNECT_ALLOW_PRIVATE_URLS: "1"/"true"/"all" allows every private address; else a comma list. */
export function policyFromEnv(env: NodeJS.ProcessEnv = process.env): OutboundPolicy {
  const raw = env.HLCONNECT_ALLOW_PRIVATE_URLS?.trim() ?? "";
  if (!raw || raw === "0" || raw.toLowerCase() === "false") return {};
  if (["1", "true", "all", "yes"].includes(raw.toLowerCase())) return { allowPrivate: true };
  return {
    allow: raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

/** Ranges no user-given URL may reach by default. */
const BLOCKED = (() => {
  const list = new BlockList();
  for (const [net, bits] of [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10], // carrier-grade NAT
    ["127.0.0.0", 8],
    ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.0.2.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["198.51.100.0", 24],
    ["203.0.113.0", 24],
    ["224.0.0.0", 4], // multicast
    ["240.0.0.0", 4], // reserved, broadcast
  ] as const)
    list.addSubnet(net, bits, "ipv4");
  for (const [net, bits] of [
    ["::", 128],
    ["::1", 128],
    ["fc00::", 7], // unique local (incl. fd00:ec2::254, a metadata address)
    ["fe80::", 10], // link-local
    ["ff00::", 8], // multicast
    ["100::", 64], // discard
    ["2001:db8::", 32], // documentation
  ] as const)
    list.addSubnet(net, bits, "ipv6");
  return list;
})();

/** The IPv4 address inside an IPv4-mapped or NAT64 IPv6 address, if any. */
function embeddedIpv4(address: string): string | undefined {
  const m = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return m[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const a = Number.parseInt(hex[1]!, 16);
  const b = Number.parseInt(hex[2]!, 16);
  return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
}

/** Whether an IP address is in a refused range. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, "ipv4");
  if (family !== 6) return true; // not an address at all: refuse
  const v4 = embeddedIpv4(address);
  if (v4) return BLOCKED.check(v4, "ipv4");
  return BLOCKED.check(address, "ipv6");
}

function allowedByList(host: string, address: string, allow: string[]): boolean {
  for (const entry of allow) {
    if (entry.includes("/")) {
      const [net, bits] = entry.split("/");
      const family = isIP(net ?? "");
      if (!family || isIP(address) !== family) continue;
      const list = new BlockList();
      try {
        list.addSubnet(net!, Number(bits), family === 4 ? "ipv4" : "ipv6");
      } catch {
        continue;
      }
      if (list.check(address, family === 4 ? "ipv4" : "ipv6")) return true;
    } else if (entry.toLowerCase() === host.toLowerCase() || entry === address) return true;
  }
  return false;
}

function refusedAddress(
  host: string,
  address: string,
  policy: OutboundPolicy,
): OutboundRefusedError | undefined {
  if (policy.allowPrivate || !isPrivateAddress(address)) return undefined;
  if (policy.allow && allowedByList(host, address, policy.allow)) return undefined;
  return new OutboundRefusedError(
    "private_address",
    `refused to reach ${host}${host === address ? "" : ` (${address})`}: a loopback, private, link-local or metadata address; ` +
      "set HLCONNECT_ALLOW_PRIVATE_URLS (1, or a list of hosts/CIDRs) to allow it",
  );
}

/** Check a URL's form (http or https, a host); throws OutboundRefusedError. */
export function checkUrlForm(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefusedError("scheme", `"${raw.slice(0, 100)}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new OutboundRefusedError("scheme", `only http and https URLs may be called, not ${url.protocol}`);
  if (url.username || url.password)
    throw new OutboundRefusedError("scheme", "URLs with a user name or password are not called");
  return url;
}

/** Resolve the URL's host and refuse it when any address is not allowed. */
export async function checkUrl(raw: string, policy: OutboundPolicy = policyFromEnv()): Promise<URL> {
  const url = checkUrlForm(raw);
  const host = bareHost(url);
  const addresses = isIP(host) ? [host] : await resolveAll(host);
  for (const address of addresses) {
    const refused = refusedAddress(host, address, policy);
    if (refused) throw refused;
  }
  return url;
}

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(host, { all: true }, (err, addresses: LookupAddress[]) => {
      if (err || !addresses.length)
        reject(
          new OutboundRefusedError("unresolvable", `cannot resolve ${host}: ${err?.message ?? "no address"}`),
        );
      else resolve(addresses.map((a) => a.address));
    }),
  );
}

/** A lookup for the socket that refuses what checkUrl would, at connect time (no DNS rebinding). */
function guardedLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, "", 4);
      for (const a of addresses) {
        const refused = refusedAddress(hostname, a.address, policy);
        if (refused) return callback(refused, "", 4);
      }
      if ((options as { all?: boolean }).all)
        return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

export interface OutboundRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Send a request to a user-given URL under the policy (default: from the environment). Redirects are
 * followed (each one checked) up to maxRedirects; the answer is read up to maxBytes.
 */
export async function guardedFetch(
  raw: string,
  request: OutboundRequest = {},
  policy: OutboundPolicy = policyFromEnv(),
): Promise<OutboundAnswer> {
  const deadline = AbortSignal.timeout(policy.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let current = raw;
  let method = (request.method ?? "GET").toUpperCase();
  let body = request.body;
  for (let hop = 0; ; hop++) {
    const url = await checkUrl(current, policy);
    const answer = await send(url, method, request.headers ?? {}, body, policy, deadline);
    if (answer.location === undefined) return answer.result;
    if (hop >= (policy.maxRedirects ?? DEFAULT_MAX_REDIRECTS))
      throw new OutboundRefusedError(
        "too_many_redirects",
        `more than ${policy.maxRedirects ?? DEFAULT_MAX_REDIRECTS} redirects from ${raw}`,
      );
    current = new URL(answer.location, url).toString();
    // As browsers do: 303 (and 301/302 after a POST) become a GET without the body.
    if (
      answer.result.status === 303 ||
      ((answer.result.status === 301 || answer.result.status === 302) && method === "POST")
    ) {
      method = "GET";
      body = undefined;
    }
  }
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  policy: OutboundPolicy,
  signal: AbortSignal,
): Promise<{ result: OutboundAnswer; location?: string }> {
  const maxBytes = policy.maxBytes ?? DEFAULT_MAX_BYTES;
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method,
        headers: {
          ...headers,
          ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}),
        },
        lookup: guardedLookup(policy),
        signal,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const location = status >= 300 && status < 400 ? res.headers.location : undefined;
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        res.on("data", (chunk: Buffer) => {
          if (truncated) return;
          const room = maxBytes - size;
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, room));
            size = maxBytes;
            truncated = true;
            res.destroy(); // the rest is not read
            finish();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          resolve({
            result: {
              status,
              ok: status >= 200 && status < 300,
              url: url.toString(),
              body: Buffer.concat(chunks).toString("utf8"),
              truncated,
            },
            ...(location ? { location } : {}),
          });
        };
        res.on("end", finish);
        res.on("error", (err) => (truncated ? finish() : reject(err)));
      },
    );
    req.on("error", (err) => reject(unwrap(err)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A refusal raised inside the socket's lookup arrives wrapped; give it back as it was. */
function unwrap(err: Error): Error {
  if (err instanceof OutboundRefusedError) return err;
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof OutboundRefusedError ? cause : err;
}

/** The part of an answer worth keeping: the status and its first EXCERPT_CHARS characters. */
export function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}
