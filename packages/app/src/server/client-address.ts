// Who the client is, for what keys on it (the sign-in limit, log lines). By default that is the TCP
// peer: X-Forwarded-For is a header anyone can write. Behind a reverse proxy every peer is the proxy,
// so HLCONNECT_TRUST_PROXY names the proxies whose X-Forwarded-For may be believed; the client is then
// the right-most address in that header that is not one of them (what the nearest untrusted hop was
// seen as by a proxy we trust). Entries left of it were written by the client and are never used.
import { BlockList, isIP } from "node:net";
import type { Context } from "hono";

/** Whether a peer is a proxy whose X-Forwarded-For is believed. */
export type TrustedProxies = (address: string) => boolean;

export const TRUST_PROXY_ENV = "HLCONNECT_TRUST_PROXY";

const OFF = new Set(["", "0", "false", "no", "off"]);
const LOOPBACK = new Set(["1", "true", "yes", "on"]);

/**
 * HLCONNECT_TRUST_PROXY's value as a test of peers: unset/""/0/false: none (the default); 1/true:
 * loopback proxies (a proxy on this machine); else a comma list of addresses and CIDRs
 * ("10.0.0.0/8, 192.168.1.7, fd00::/8"). A wrong entry is an error naming it.
 */
export function trustedProxiesFrom(value: string | undefined): TrustedProxies | undefined {
  const text = (value ?? "").trim();
  if (OFF.has(text.toLowerCase())) return undefined;
  const list = new BlockList();
  if (LOOPBACK.has(text.toLowerCase())) {
    list.addSubnet("127.0.0.0", 8, "ipv4");
    list.addAddress("::1", "ipv6");
  } else {
    // A stray comma ("10.0.0.1,") is not worth refusing; an entry that is not an address is.
    const entries = text
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean);
    if (!entries.length) throw new Error(`${TRUST_PROXY_ENV}: "${text}" names no proxy address`);
    for (const entry of entries) addEntry(list, entry, text);
  }
  return (address) => {
    const ip = plainIp(address);
    const family = ip ? isIP(ip) : 0;
    return family !== 0 && list.check(ip!, family === 4 ? "ipv4" : "ipv6");
  };
}

function addEntry(list: BlockList, entry: string, whole: string): void {
  const bad = (why: string) =>
    new Error(
      `${TRUST_PROXY_ENV}: "${entry}" ${why} (in "${whole}"). Use 1 for a proxy on this machine, or a ` +
        "comma list of proxy addresses and CIDRs such as 10.0.0.0/8,192.168.1.7",
    );
  const [address = "", bits, ...extra] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || extra.length) throw bad("is not an IP address or CIDR");
  const type = family === 4 ? "ipv4" : "ipv6";
  if (bits === undefined) {
    list.addAddress(address, type);
    return;
  }
  const prefix = Number(bits);
  if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) {
    throw bad(`has a prefix length that is not 0-${family === 4 ? 32 : 128}`);
  }
  list.addSubnet(address, prefix, type);
}

/**
 * The client's address from the TCP peer and the X-Forwarded-For header: the peer itself unless it
 * is a trusted proxy; then, walking the header from the right, the first address that is not a trusted
 * proxy (or the left-most one when all are).
 */
export function resolveClientAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  trusted: TrustedProxies | undefined,
): string {
  const direct = peer ? normalize(peer) : "local";
  if (!trusted || !peer || !trusted(peer) || !forwardedFor) return direct;
  const hops = forwardedFor
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  let client = direct;
  for (let i = hops.length - 1; i >= 0; i--) {
    client = normalize(hops[i]!);
    if (!trusted(hops[i]!)) break;
  }
  return client;
}

/** The address of the request's client ("local" for in-process requests, e.g. tests). */
export function clientAddress(c: Context, trusted: TrustedProxies | undefined): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return resolveClientAddress(env?.incoming?.socket?.remoteAddress, c.req.header("x-forwarded-for"), trusted);
}

/** One spelling per address: "::ffff:10.0.0.1" is 10.0.0.1, "[::1]:443" and "10.0.0.1:80" lose the port. */
function normalize(hop: string): string {
  return plainIp(hop) ?? hop.slice(0, 64);
}

function plainIp(hop: string): string | undefined {
  const bare = /^\[([^\]]+)\](?::\d+)?$/.exec(hop)?.[1] ?? /^([\d.]+):\d+$/.exec(hop)?.[1] ?? hop;
  const mapped = /^::ffff:([\d.]+)$/i.exec(bare)?.[1];
  const ip = mapped ?? bare;
  return isIP(ip) ? ip.toLowerCase() : undefined;
}
