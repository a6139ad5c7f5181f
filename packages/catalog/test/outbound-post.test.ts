// batchleads.update.post goes through the outbound guard: a private URL (here a listener on
// 127.0.0.1) is refused unless the operator allows it, and the step keeps only the answer's status
// and a short excerpt, never the whole body.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HighLevelClient } from "@hlconnect/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getEntry } from "../src/registry.ts";
import { createContext, runEntry } from "../src/runtime.ts";

let listener: Server;
let url: string;
let hits = 0;
const saved = process.env.HLCONNECT_ALLOW_PRIVATE_URLS;

beforeAll(async () => {
  listener = createServer((_req, res) => {
    hits++;
    res.end(JSON.stringify({ status: "success", secret: "s".repeat(10_000) }));
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/hooks/catch/1/2/`;
});
afterAll(() => new Promise((r) => listener.close(r)));
afterEach(() => {
  if (saved === undefined) delete process.env.HLCONNECT_ALLOW_PRIVATE_URLS;
  else process.env.HLCONNECT_ALLOW_PRIVATE_URLS = saved;
});

const ctx = () =>
  createContext({
    client: new HighLevelClient({ credentials: "pit-x", locationId: "loc-1" }),
    locationId: "loc-1",
  });
const post = () =>
  runEntry(getEntry("batchleads.update.post"), ctx(), { url, address: "1 Main St", status: "Hot" });

describe("batchleads.update.post and private URLs", () => {
  it("refuses a loopback URL by default, naming the setting that allows it", async () => {
    delete process.env.HLCONNECT_ALLOW_PRIVATE_URLS;
    const before = hits;
    await expect(post()).rejects.toThrow(/refused to reach 127\.0\.0\.1.*HLCONNECT_ALLOW_PRIVATE_URLS/);
    expect(hits).toBe(before);
  });

  it("posts when allowed, and keeps only the status and a short excerpt of the answer", async () => {
    process.env.HLCONNECT_ALLOW_PRIVATE_URLS = "127.0.0.1";
    const out = (await post()) as Record<string, unknown>;
    expect(out).toMatchObject({ posted: true, status: 200 });
    expect(typeof out.response).toBe("string");
    expect((out.response as string).length).toBeLessThanOrEqual(201);
    expect(JSON.stringify(out).length).toBeLessThan(2_000);
  });
});
