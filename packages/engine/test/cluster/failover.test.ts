// Scheduler failover: three processes compete for the scheduler's leadership (a PostgreSQL advisory
// lock). The leader polls; it is killed with SIGKILL; another takes polling over, and the cursor shows
// every poll window exactly once: none skipped, none recorded twice. (How long the takeover took is
// printed, not asserted: it depends on the machine's load. bench/ measures it.)
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPgStore, type PgStore } from "../../src/store/postgres/store.ts";
import { dropSchemas, TEST_DATABASE_URL, uniqueName } from "../support/services.ts";
import { type Child, startChild } from "./children.ts";

const schema = uniqueName("t_failover");
const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "failover-child.ts");
const CHECK_MS = 500;

interface Report {
  pid: number;
  at: number;
  leader?: boolean;
  poll?: number;
}

let store: PgStore;
const children: Child[] = [];
const reports: Report[] = [];

beforeAll(async () => {
  store = await openPgStore({ url: TEST_DATABASE_URL, schema });
  await store.saveFlow({ id: "poller", name: "poller", source: "trigger: x\n" });
});

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await store?.close();
  await dropSchemas([schema]);
});

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("scheduler leadership across processes", () => {
  it("one leader polls; when it is killed another takes over, and no window is skipped or run twice", async () => {
    for (let i = 0; i < 3; i++) {
      children.push(
        startChild(entry, [TEST_DATABASE_URL, schema, "poller", String(CHECK_MS)], {}, (line) =>
          reports.push(JSON.parse(line) as Report),
        ),
      );
    }
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();

    await until("ten polls", () => reports.filter((r) => r.poll !== undefined).length >= 10);
    const leaders = new Set(reports.filter((r) => r.leader).map((r) => r.pid));
    expect(leaders.size).toBe(1);
    const first = [...leaders][0]!;
    expect(new Set(reports.filter((r) => r.poll !== undefined).map((r) => r.pid))).toEqual(new Set([first]));

    const killedAt = Date.now();
    children.find((c) => c.child.pid === first)!.kill("SIGKILL");
    await until("another leader's ten polls", () => {
      return reports.filter((r) => r.poll !== undefined && r.pid !== first).length >= 10;
    });
    const next = reports.find((r) => r.leader && r.pid !== first)!;
    console.log(`scheduler takeover after ${next.at - killedAt} ms (leader check every ${CHECK_MS} ms)`);
    expect(new Set(reports.filter((r) => r.leader).map((r) => r.pid)).size).toBe(2);

    // The store is the judge: the cursor advanced one window per recorded run, windows 0..n-1, once each.
    for (const c of children) c.kill("SIGKILL");
    const cursor = (await store.getTriggerState("poller"))!.cursor as number;
    const runs = [];
    let page = await store.listRuns({ flowId: "poller", limit: 500 });
    runs.push(...page.runs);
    while (page.nextCursor) {
      page = await store.listRuns({ flowId: "poller", limit: 500, cursor: page.nextCursor });
      runs.push(...page.runs);
    }
    const windows = runs.map((r) => (r.trigger as { window: number }).window).sort((a, b) => a - b);
    expect(windows).toEqual(Array.from({ length: cursor }, (_, i) => i));
    // And no process reported a window another had already polled and recorded.
    const polled = reports.filter((r) => r.poll !== undefined).map((r) => r.poll);
    expect(polled.length).toBe(new Set(polled).size);
  }, 120_000);
});
