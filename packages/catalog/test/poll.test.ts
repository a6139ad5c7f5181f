import { HighLevelClient } from "@hlconnect/client";
import { describe, expect, it } from "vitest";
import { snapshotTrigger, timeOrderedTrigger } from "../src/poll.ts";
import { createContext } from "../src/runtime.ts";
import type { PollCursor, PollingTrigger } from "../src/types.ts";

interface Item {
  id: string;
  t: number;
}

/** A fake account: items newest first in pages of `size`, counting requests. */
function source(items: Item[], size = 3) {
  const state = { requests: 0 };
  const trigger = timeOrderedTrigger<Record<string, unknown>>(
    {
      async fetchPage(_ctx, _input, page) {
        state.requests++;
        const sorted = [...items].sort((a, b) => b.t - a.t || (a.id < b.id ? 1 : -1));
        const slice = sorted.slice(page * size, page * size + size);
        return { items: slice, more: (page + 1) * size < sorted.length };
      },
      idOf: (i) => (i as Item).id,
      timeOf: (i) => (i as Item).t,
    },
    { dedupe: "id", describe: "fake", lookbackMs: 10 },
  );
  return { trigger, state };
}

const ctx = createContext({
  client: new HighLevelClient({
    credentials: "pit-test-token-0000",
    baseUrl: "http://127.0.0.1:1",
    locationId: "loc",
  }),
});

async function poll(t: PollingTrigger, cursor?: PollCursor) {
  return t.poll(ctx, {}, cursor);
}
const ids = (items: unknown[]) => items.map((i) => (i as Item).id);

describe("time-ordered polling", () => {
  it("emits nothing on the first poll, then exactly the new items, oldest first", async () => {
    const items: Item[] = [
      { id: "a", t: 100 },
      { id: "b", t: 200 },
    ];
    const { trigger } = source(items);
    const first = await poll(trigger);
    expect(first.items).toEqual([]);
    items.push({ id: "c", t: 300 }, { id: "d", t: 400 });
    const second = await poll(trigger, first.cursor);
    expect(ids(second.items)).toEqual(["c", "d"]);
    const third = await poll(trigger, second.cursor);
    expect(third.items).toEqual([]);
  });

  it("costs one request when nothing is new", async () => {
    const items = Array.from({ length: 20 }, (_, i) => ({ id: `i${i}`, t: i * 100 }));
    const { trigger, state } = source(items, 5);
    const first = await poll(trigger);
    state.requests = 0;
    const idle = await poll(trigger, first.cursor);
    expect(idle.items).toEqual([]);
    expect(state.requests).toBe(1);
    expect(idle.requests).toBe(1);
  });

  it("follows new items across page boundaries without losing or repeating any", async () => {
    const items: Item[] = [{ id: "old", t: 1 }];
    const { trigger } = source(items, 3);
    const first = await poll(trigger);
    for (let i = 0; i < 10; i++) items.push({ id: `n${i}`, t: 1000 + i });
    const second = await poll(trigger, first.cursor);
    expect(ids(second.items)).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`));
    expect(second.requests).toBe(4); // 3 + 3 + 3 + (1 new + "old")
  });

  it("catches items sharing the newest timestamp, even when they surface in a later poll", async () => {
    const items: Item[] = [{ id: "x1", t: 500 }];
    const { trigger } = source(items, 2);
    const first = await poll(trigger);
    items.push({ id: "x2", t: 500 }, { id: "x3", t: 500 });
    const second = await poll(trigger, first.cursor);
    expect(ids(second.items).sort()).toEqual(["x2", "x3"]);
    // Created during the poll with the same timestamp, visible only afterwards:
    items.push({ id: "x4", t: 500 });
    const third = await poll(trigger, second.cursor);
    expect(ids(third.items)).toEqual(["x4"]);
    const fourth = await poll(trigger, third.cursor);
    expect(fourth.items).toEqual([]);
  });

  it("catches an item that appears late with a slightly older timestamp (within the look-back)", async () => {
    const items: Item[] = [{ id: "a", t: 1000 }];
    const { trigger } = source(items);
    const first = await poll(trigger);
    items.push({ id: "b", t: 1005 });
    const second = await poll(trigger, first.cursor);
    expect(ids(second.items)).toEqual(["b"]);
    items.push({ id: "late", t: 998 }); // older than the newest seen, inside the 10 ms look-back
    const third = await poll(trigger, second.cursor);
    expect(ids(third.items)).toEqual(["late"]);
  });

  it("first poll marks everything within the look-back as seen, across pages, so none of it fires later", async () => {
    // 200 items within the 10 ms look-back window, read 50 per page.
    const items = Array.from({ length: 200 }, (_, i) => ({ id: `r${i}`, t: 100_000 + (i % 10) }));
    const { trigger } = source(items, 50);
    const first = await poll(trigger);
    expect(first.items).toEqual([]);
    expect(first.requests).toBe(4);
    const second = await poll(trigger, first.cursor);
    expect(second.items).toEqual([]);
    items.push({ id: "fresh", t: 100_500 });
    const third = await poll(trigger, second.cursor);
    expect(ids(third.items)).toEqual(["fresh"]);
  });

  it("keeps the cursor small however many items the account has", async () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({ id: `c${i}`, t: i * 1000 }));
    const { trigger } = source(items, 100);
    const first = await poll(trigger);
    items.push(...Array.from({ length: 300 }, (_, i) => ({ id: `n${i}`, t: 10_000_000 + i * 1000 })));
    const second = await poll(trigger, first.cursor);
    expect(second.items).toHaveLength(300);
    expect(JSON.stringify(second.cursor).length).toBeLessThan(200);
  });
});

describe("snapshot polling", () => {
  const make = (list: Array<{ id: string; v: number }>, dedupe: "id" | "id+updated") =>
    snapshotTrigger<Record<string, unknown>>(
      {
        list: async () => ({ items: [...list], requests: 1 }),
        keyOf: (i) => {
          const o = i as { id: string; v: number };
          return dedupe === "id" ? o.id : `${o.id}@${o.v}`;
        },
      },
      { dedupe, describe: "fake" },
    );

  it("emits new items for 'new' triggers and changed items for 'updated' triggers", async () => {
    const list = [{ id: "a", v: 1 }];
    const news = make(list, "id");
    const changes = make(list, "id+updated");
    const n1 = await poll(news);
    const c1 = await poll(changes);
    expect(n1.items).toEqual([]);
    list.push({ id: "b", v: 1 });
    list[0]!.v = 2;
    expect(ids((await poll(news, n1.cursor)).items)).toEqual(["b"]);
    expect(ids((await poll(changes, c1.cursor)).items).sort()).toEqual(["a", "b"]);
  });
});
