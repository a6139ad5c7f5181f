// Who the client is behind a reverse proxy (HLCONNECT_TRUST_PROXY): the rules on their own, then the
// sign-in limit keyed on them, in-process and over a real socket from 127.0.0.1.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { resolveClientAddress, trustedProxiesFrom } from "../src/server/client-address.ts";
import { listen } from "../src/server/listen.ts";
import { sessionRoutes } from "../src/server/routes/session.ts";
import { SessionStore } from "../src/server/session.ts";

const API_TOKEN = "client-address-test-token-7b1";

describe("HLCONNECT_TRUST_PROXY", () => {
  it("is off unless set: unset, empty, 0, false, off and no trust nobody", () => {
    for (const value of [undefined, "", " ", "0", "false", "FALSE", "off", "no"]) {
      expect(trustedProxiesFrom(value), String(value)).toBeUndefined();
    }
  });

  it("1 or true trusts loopback proxies only", () => {
    for (const value of ["1", "true", "True", "yes", "on"]) {
      const trusted = trustedProxiesFrom(value)!;
      expect(trusted("127.0.0.1")).toBe(true);
      expect(trusted("127.8.9.10")).toBe(true);
      expect(trusted("::1")).toBe(true);
      expect(trusted("::ffff:127.0.0.1")).toBe(true);
      expect(trusted("10.0.0.1")).toBe(false);
      expect(trusted("not an address")).toBe(false);
    }
  });

  it("takes a comma list of addresses and CIDRs, IPv4 and IPv6", () => {
    const trusted = trustedProxiesFrom(" 10.0.0.0/8, 192.168.1.7 ,fd00::/8,")!;
    expect(trusted("10.200.3.4")).toBe(true);
    expect(trusted("::ffff:10.1.1.1")).toBe(true);
    expect(trusted("192.168.1.7")).toBe(true);
    expect(trusted("192.168.1.8")).toBe(false);
    expect(trusted("fd12::1")).toBe(true);
    expect(trusted("fe80::1")).toBe(false);
    // A list replaces the loopback default: 127.0.0.1 is not trusted unless named.
    expect(trusted("127.0.0.1")).toBe(false);
  });

  it("refuses a wrong entry, naming it and the variable", () => {
    expect(() => trustedProxiesFrom("10.0.0.0/8,proxy.internal")).toThrow(
      /HLCONNECT_TRUST_PROXY: "proxy.internal" is not an IP address or CIDR \(in "10.0.0.0\/8,proxy.internal"\)/,
    );
    expect(() => trustedProxiesFrom("10.0.0.0/33")).toThrow(
      /"10.0.0.0\/33" has a prefix length that is not 0-32/,
    );
    expect(() => trustedProxiesFrom("::1/129")).toThrow(/not 0-128/);
    expect(() => trustedProxiesFrom("10.0.0.0/x")).toThrow(/prefix length/);
    expect(() => trustedProxiesFrom("10.0.0.0/8/8")).toThrow(/not an IP address or CIDR/);
    expect(() => trustedProxiesFrom(" , ")).toThrow(/names no proxy address/);
  });
});

describe("the client's address", () => {
  const loopback = trustedProxiesFrom("1");
  const internal = trustedProxiesFrom("127.0.0.1,10.0.0.0/8");

  it("is the peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(resolveClientAddress("203.0.113.9", "198.51.100.1", undefined)).toBe("203.0.113.9");
    expect(resolveClientAddress("127.0.0.1", "198.51.100.1", undefined)).toBe("127.0.0.1");
    expect(resolveClientAddress(undefined, "198.51.100.1", undefined)).toBe("local");
  });

  it("is the peer when the peer is not a trusted proxy", () => {
    expect(resolveClientAddress("203.0.113.9", "198.51.100.1", loopback)).toBe("203.0.113.9");
  });

  it("is the right-most untrusted hop when the peer is a trusted proxy", () => {
    expect(resolveClientAddress("127.0.0.1", "198.51.100.1", loopback)).toBe("198.51.100.1");
    // A client writing its own header only adds entries on the left: they are never used.
    expect(resolveClientAddress("127.0.0.1", "1.2.3.4, 198.51.100.1", loopback)).toBe("198.51.100.1");
    // Through two trusted proxies: skip both.
    expect(resolveClientAddress("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.2.3", internal)).toBe(
      "198.51.100.1",
    );
    // With only loopback trusted, the inner proxy 10.1.2.3 is the client as far as we can tell.
    expect(resolveClientAddress("127.0.0.1", "198.51.100.1, 10.1.2.3", loopback)).toBe("10.1.2.3");
  });

  it("spells one address one way and keeps odd hops as they are, but short", () => {
    expect(resolveClientAddress("::ffff:127.0.0.1", "::ffff:198.51.100.1", loopback)).toBe("198.51.100.1");
    expect(resolveClientAddress("::1", "198.51.100.1:5123", loopback)).toBe("198.51.100.1");
    expect(resolveClientAddress("::1", "[2001:DB8::1]:443", loopback)).toBe("2001:db8::1");
    expect(resolveClientAddress("::ffff:203.0.113.9", undefined, loopback)).toBe("203.0.113.9");
    expect(resolveClientAddress("127.0.0.1", "x".repeat(500), loopback)).toBe("x".repeat(64));
    // Every hop trusted: the left-most is all there is.
    expect(resolveClientAddress("127.0.0.1", "127.0.0.2, 127.0.0.3", loopback)).toBe("127.0.0.2");
    // An empty header leaves the proxy itself.
    expect(resolveClientAddress("127.0.0.1", " , ", loopback)).toBe("127.0.0.1");
  });
});

/** Sign-in routes alone, with the given trust setting. */
function signInApp(trustProxy: string): Hono {
  const app = new Hono();
  const routes = sessionRoutes({ apiToken: API_TOKEN, sessions: new SessionStore(), trustProxy });
  app.route("/api/session", routes.api);
  return app;
}

/** Wrong sign-ins from `peer` with this X-Forwarded-For, as the Node adapter hands them over. */
async function wrongSignIns(app: Hono, peer: string, forwardedFor: string | undefined, n: number) {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await app.request(
      "/api/session",
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}),
        },
        body: JSON.stringify({ token: `guess-${i}` }),
      },
      { incoming: { socket: { remoteAddress: peer } } },
    );
    statuses.push(res.status);
  }
  return statuses;
}

describe("the sign-in limit behind a proxy", () => {
  it("off: a spoofed X-Forwarded-For does not get a client a fresh limit", async () => {
    const app = signInApp("");
    expect(await wrongSignIns(app, "203.0.113.9", "1.1.1.1", 10)).toEqual(Array(10).fill(401));
    expect(await wrongSignIns(app, "203.0.113.9", "2.2.2.2", 1)).toEqual([429]);
    expect(await wrongSignIns(app, "203.0.113.9", undefined, 1)).toEqual([429]);
  });

  it("on: clients behind the loopback proxy each have their own limit", async () => {
    const app = signInApp("1");
    expect(await wrongSignIns(app, "127.0.0.1", "198.51.100.1", 10)).toEqual(Array(10).fill(401));
    expect(await wrongSignIns(app, "127.0.0.1", "198.51.100.1", 1)).toEqual([429]);
    // Another browser through the same proxy is not locked out by the first.
    expect(await wrongSignIns(app, "127.0.0.1", "198.51.100.2", 1)).toEqual([401]);
    // The limited client cannot escape by prepending its own entry: the proxy appends the real one.
    expect(await wrongSignIns(app, "127.0.0.1", "9.9.9.9, 198.51.100.1", 1)).toEqual([429]);
  });

  it("on: a client reaching the server directly cannot pose as another with the header", async () => {
    const app = signInApp("1");
    expect(await wrongSignIns(app, "203.0.113.9", "198.51.100.3", 10)).toEqual(Array(10).fill(401));
    expect(await wrongSignIns(app, "203.0.113.9", "198.51.100.4", 1)).toEqual([429]);
    expect(await wrongSignIns(app, "127.0.0.1", "198.51.100.3", 1)).toEqual([401]);
  });

  it("a wrong setting stops the server from being built, naming the entry", () => {
    expect(() => signInApp("10.0.0.1 192.168.0.1")).toThrow(/"10.0.0.1 192.168.0.1" is not an IP address/);
  });

  it("over a real socket from 127.0.0.1: the header counts only when loopback is trusted", async () => {
    for (const [setting, keyedOnHeader] of [
      ["1", true],
      ["", false],
    ] as const) {
      const listening = await listen({ port: 0, host: "127.0.0.1" });
      try {
        listening.setApp(signInApp(setting));
        const post = (forwardedFor: string, token: string) =>
          fetch(`${listening.url}/api/session`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
            body: JSON.stringify({ token }),
          }).then((r) => r.status);
        const first: number[] = [];
        for (let i = 0; i < 10; i++) first.push(await post("198.51.100.1", `guess-${i}`));
        expect(first).toEqual(Array(10).fill(401));
        expect(await post("198.51.100.1", "guess")).toBe(429);
        // Another forwarded client: its own limit when trusted, the proxy's shared one when not.
        expect(await post("198.51.100.2", API_TOKEN)).toBe(keyedOnHeader ? 200 : 429);
      } finally {
        await listening.close();
      }
    }
  });
});
