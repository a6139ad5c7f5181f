import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

// The generated app's result shaping (template/lib/shape.cjs), which the generator also uses for samples.
const shape = createRequire(import.meta.url)("../src/export/zapier/template/lib/shape.cjs") as {
  itemsOf(output: unknown): unknown[];
  withDedupeId(item: Record<string, unknown>, key?: string): Record<string, unknown>;
  newestFirst(items: Record<string, unknown>[], dedupe?: string): Record<string, unknown>[];
  createResult(output: unknown): unknown;
};

describe("Zapier result shaping", () => {
  it("finds the items of an answer, leaving page information out", () => {
    expect(shape.itemsOf({ contacts: [{ id: "a" }, { id: "b" }], total: 2, traceId: "t" })).toEqual([
      { id: "a" },
      { id: "b" },
    ]);
    expect(shape.itemsOf({ contact: { id: "a" }, traceId: "t" })).toEqual([{ id: "a" }]);
    expect(shape.itemsOf({ found: false })).toEqual([]);
    expect(shape.itemsOf({ found: true, contact: { id: "a" } })).toEqual([{ id: "a" }]);
    expect(shape.itemsOf({ notes: [], hasMore: false })).toEqual([]);
    expect(shape.itemsOf({ contact: null })).toEqual([]);
    // Several things at once: the answer itself is the one result.
    expect(shape.itemsOf({ exists: true, slug: "x" })).toEqual([{ exists: true, slug: "x" }]);
    expect(shape.itemsOf(["x"])).toEqual([{ value: "x" }]);
  });

  it("sets id to the dedupe key and keeps the record's own id when they differ", () => {
    expect(shape.withDedupeId({ id: "c1", name: "A" }, "c1")).toEqual({ id: "c1", name: "A" });
    expect(shape.withDedupeId({ id: "c1" }, "c1@1700")).toEqual({ id: "c1@1700", recordId: "c1" });
    expect(shape.withDedupeId({ _id: "n1" })).toEqual({ _id: "n1", id: "n1" });
  });

  it("orders a whole list newest first by creation, or by update for 'updated' triggers", () => {
    const items = [
      { id: "old", dateAdded: "2026-01-01T00:00:00Z", dateUpdated: "2026-03-01T00:00:00Z" },
      { id: "new", dateAdded: "2026-02-01T00:00:00Z", dateUpdated: "2026-02-02T00:00:00Z" },
    ];
    expect(shape.newestFirst(items, "id").map((i) => i.id)).toEqual(["new", "old"]);
    expect(shape.newestFirst(items, "id+updated").map((i) => i.id)).toEqual(["old", "new"]);
    const untimed = [{ id: "x" }, { id: "y" }];
    expect(shape.newestFirst(untimed, "id")).toEqual(untimed);
  });

  it("makes every create answer one object", () => {
    expect(shape.createResult({ contact: { id: "a" } })).toEqual({ contact: { id: "a" } });
    expect(shape.createResult([1, 2])).toEqual({ items: [1, 2] });
    expect(shape.createResult(undefined)).toEqual({ success: true });
    expect(shape.createResult("ok")).toEqual({ result: "ok" });
  });
});
