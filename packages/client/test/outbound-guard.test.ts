// The outbound guard against a real listener and a redirector on 127.0.0.1: private addresses are
// refused by default (before any connection), allowed only as the operator says, redirects are
// checked hop by hop, and answers are cut at the size limit.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkUrl,
  excerpt,
  guardedFetch,
  isPrivateAddress,
  OutboundRefusedError,
  policyFromEnv,
} from "../src/outbound/guard.ts";

let listener: Server;
let redirector: Server;
let target: string;
let hops: string;
const received: string[] = [];

beforeAll(async () => {
  listener = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    if (req.url === "/big") return res.end("x".repeat(1_000_000));
    if (req.url === "/hang") return; // never answers
    res.end(JSON.stringify({ status: "success", echo: req.url }));
  });
  redirector = createServer((req, res) => {
    const to = new URL(req.url!, "http://x").searchParams.get("to")!;
    res.writeHead(302, { location: to }).end();
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  await new Promise<void>((r) => redirector.listen(0, "127.0.0.1", r));
  target = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  hops = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
});
afterAll(async () => {
  listener.closeAllConnections();
  await new Promise((r) => listener.close(r));
  await new Promise((r) => redirector.close(r));
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => "allowed",
    (e: unknown) => (e instanceof OutboundRefusedError ? e.reason : `other: ${String(e)}`),
  );

describe("the outbound guard", () => {
  it("knows the refused ranges", () => {
    for (const a of [
      "127.0.0.1",
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "::",
      "fe80::1",
      "fd00:ec2::254",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "64:ff9b::a9fe:a9fe",
    ])
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    for (const a of ["8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
      expect([a, isPrivateAddress(a)]).toEqual([a, false]);
  });

  it("refuses loopback, private, link-local and metadata URLs by default, before connecting", async () => {
    const before = received.length;
    for (const url of [
      `${target}/hook`,
      "http://localhost:9/",
      "http://169.254.169.254/latest/meta-data/",
      "http://10.0.0.1/",
      "http://[::1]:9/",
      "http://[::ffff:127.0.0.1]:9/",
      "http://2130706433/", // 127.0.0.1 as one number
    ])
      expect([url, await refusal(guardedFetch(url, { method: "POST", body: "{}" }, {}))]).toEqual([
        url,
        "private_address",
      ]);
    expect(received.length).toBe(before);
  });

  it("refuses other schemes and credentials in the URL", async () => {
    for (const url of [
      "ftp://example.com/x",
      "file:///etc/passwd",
      "gopher://x",
      "not a url",
      "http://u:p@example.com/",
    ])
      expect(await refusal(checkUrl(url, {}))).toBe("scheme");
  });

  it("reaches a private address the operator allowed, by host, CIDR or everything", async () => {
    for (const policy of [{ allow: ["127.0.0.1"] }, { allow: ["127.0.0.0/8"] }, { allowPrivate: true }]) {
      const answer = await guardedFetch(`${target}/hook`, { method: "POST", body: "{}" }, policy);
      expect(answer).toMatchObject({ status: 200, ok: true, truncated: false });
      expect(JSON.parse(answer.body)).toEqual({ status: "success", echo: "/hook" });
    }
    expect(policyFromEnv({ HLCONNECT_ALLOW_PRIVATE_URLS: "1" })).toEqual({ allowPrivate: true });
    expect(policyFromEnv({ HLCONNECT_ALLOW_PRIVATE_URLS: "127.0.0.1, 10.0.0.0/8" })).toEqual({
      allow: ["127.0.0.1", "10.0.0.0/8"],
    });
    expect(policyFromEnv({})).toEqual({});
  });

  it("checks every redirect: an allowed redirector cannot lead to a refused address", async () => {
    const allowRedirectorOnly = { allow: [`127.0.0.1`] };
    const toMetadata = `${hops}/?to=${encodeURIComponent("http://169.254.169.254/latest/meta-data/")}`;
    expect(await refusal(guardedFetch(toMetadata, {}, allowRedirectorOnly))).toBe("private_address");
    const toPrivate = `${hops}/?to=${encodeURIComponent("http://192.168.0.10/")}`;
    expect(await refusal(guardedFetch(toPrivate, {}, allowRedirectorOnly))).toBe("private_address");
    const toTarget = `${hops}/?to=${encodeURIComponent(`${target}/after-redirect`)}`;
    const followed = await guardedFetch(toTarget, {}, allowRedirectorOnly);
    expect(JSON.parse(followed.body).echo).toBe("/after-redirect");
    const loop = `${hops}/?to=${encodeURIComponent(`${hops}/?to=${encodeURIComponent(`${hops}/?to=x`)}`)}`;
    expect(await refusal(guardedFetch(loop, {}, { ...allowRedirectorOnly, maxRedirects: 1 }))).toBe(
      "too_many_redirects",
    );
  });

  it("reads an answer only up to the size limit, and gives up at the time limit", async () => {
    const big = await guardedFetch(`${target}/big`, {}, { allowPrivate: true, maxBytes: 1000 });
    expect(big.body.length).toBe(1000);
    expect(big.truncated).toBe(true);
    await expect(guardedFetch(`${target}/hang`, {}, { allowPrivate: true, timeoutMs: 200 })).rejects.toThrow(
      /abort|timeout/i,
    );
    expect(excerpt("y".repeat(5000)).length).toBeLessThanOrEqual(201);
  });
});
