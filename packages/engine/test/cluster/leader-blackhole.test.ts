// A leader whose PostgreSQL connection goes half-open (packets silently dropped, no reset: a failed-over
// VIP, a stuck NAT) must stop leading, not hang in its check forever while another process takes over.
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { pgLeadership } from "../../src/cluster/leader.ts";
import { TEST_DATABASE_URL, uniqueName } from "../support/services.ts";

/** A TCP proxy to PostgreSQL that can start swallowing every byte while keeping the sockets open. */
async function blackholeProxy(target: string) {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let swallowing = false;
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(Number(port), hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on("error", () => {});
      from.on("data", (chunk) => {
        if (!swallowing) to.write(chunk);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    swallow() {
      swallowing = true;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let proxy: Awaited<ReturnType<typeof blackholeProxy>> | undefined;
afterAll(() => proxy?.close());

describe("scheduler leadership on a half-open connection", () => {
  it("gives up leading when its check gets no answer", async () => {
    proxy = await blackholeProxy(TEST_DATABASE_URL);
    const url = new URL(TEST_DATABASE_URL);
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    const errors: unknown[] = [];
    const leadership = pgLeadership({
      url: url.toString(),
      schema: uniqueName("t_lead"),
      checkMs: 100,
      queryTimeoutMs: 500,
      onError: (error) => errors.push(error),
    });
    let gained!: () => void;
    let lost!: () => void;
    const gainedP = new Promise<void>((resolve) => (gained = resolve));
    const lostP = new Promise<void>((resolve) => (lost = resolve));
    leadership.start({ gained: () => gained(), lost: () => lost() });
    await gainedP;
    expect(leadership.isLeader).toBe(true);
    proxy.swallow();
    await lostP; // before the fix this never settled: the test timed out
    expect(leadership.isLeader).toBe(false);
    expect(String(errors[0])).toMatch(/timeout/i);
    await leadership.stop();
  }, 30_000);
});
