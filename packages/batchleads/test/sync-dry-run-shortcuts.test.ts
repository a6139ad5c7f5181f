// The dry run's shortcuts must not change its answers: the hash serializer writes what a sorted
// JSON.stringify writes (state files hold those hashes), and the in-memory tag queue answers as the
// state's SQL queue does, so the calls a dry run counts are the calls a real import makes.
import { describe, expect, it } from "vitest";
import { stableJson } from "../src/sync/hash.ts";
import { SyncState } from "../src/sync/state.ts";
import { binaryCompare } from "../src/sync/tag-queue-memory.ts";

/** The definition: JSON.stringify with every object's keys sorted (the serializer before it was hand-written). */
function sortedStringify(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  });
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("dry-run shortcuts", () => {
  it("stableJson is a sorted JSON.stringify, integer-like keys, undefined, dates and odd numbers included", () => {
    const values: unknown[] = [
      { b: 1, a: [1, undefined, { z: null, y: 'é\u2028"' }], c: undefined, d: new Date(0), e: -0, f: 1e21 },
      { g: Number.NaN, h: Number.POSITIVE_INFINITY, i: { toJSON: () => ({ q: 1, p: 2 }) }, j: () => 1 },
      { "": 1, "10": 2, "2": 3, "01": 4, a: { "1": 1, b: [{}, []] } },
      "text",
      3.25,
      false,
      null,
      {
        fields: {
          source: "BatchLeads",
          firstName: "José",
          dnd: true,
          dndSettings: { Call: { status: "active" } },
        },
        custom: { "Property Type": "Single Family", "Estimated Value": 316000, Vacant: false },
      },
    ];
    for (const v of values) expect(stableJson(v)).toBe(sortedStringify(v));
  });

  it("binaryCompare orders text as SQLite's BINARY collation (code points), not UTF-16 units", () => {
    const words = ["a", "b", "ab", "", "\uffff", "\u{1f600}", "\ue000", "z\u{10000}", "z\uefff"];
    const byCodePoint = [...words].sort((x, y) => {
      const a = [...x].map((c) => c.codePointAt(0)!);
      const b = [...y].map((c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
      return a.length - b.length;
    });
    expect([...words].sort(binaryCompare)).toEqual(byCodePoint);
  });

  it("the dry run's in-memory tag queue answers every question as the SQL queue does", () => {
    const sql = SyncState.open(); // a real import's state: the SQL queue
    const memory = SyncState.open({ dryRun: true });
    const tags = ["batchleads", "vacant", "high equity", "tired landlords", "pre-foreclosure", "ünïcode"];
    const random = prng(11);
    const loc = "loc";
    try {
      for (const s of [sql, memory]) {
        s.beginImport({ id: "imp", file: "f.csv", size: 1, mtimeMs: 1 }, loc);
      }
      for (let i = 0; i < 1500; i++) {
        const key = `k${i}`;
        const queueTags = tags.filter(() => random() < 0.45).sort();
        const contactId = `c${Math.floor(random() * 900)}`;
        for (const s of [sql, memory]) {
          s.stageBatch("imp", [{ key, rows: [i + 1] } as never], [], 1, (a) => a);
          s.finishLead({
            importId: "imp",
            locationId: loc,
            key,
            status: undefined,
            tags: queueTags,
            queueTags,
            contactId,
            complianceSkip: false,
          });
        }
        if (i % 97 === 96) {
          // Flush as the batcher does: the top tag's first 100 contacts and what they all wait for.
          for (let round = 0; round < 4; round++) {
            const top = sql.topQueuedTag(loc);
            expect(memory.topQueuedTag(loc)).toEqual(top);
            expect(memory.queuedContacts(loc)).toBe(sql.queuedContacts(loc));
            if (!top) break;
            const contacts = sql.contactsQueuedFor(loc, top.tag, 100);
            expect(memory.contactsQueuedFor(loc, top.tag, 100)).toEqual(contacts);
            const all = sql.tagsQueuedForAll(loc, contacts);
            expect(memory.tagsQueuedForAll(loc, contacts)).toEqual(all);
            for (const s of [sql, memory]) s.dequeueTags(loc, contacts, all);
          }
        }
      }
      expect(memory.queuedContacts(loc)).toBe(sql.queuedContacts(loc));
      expect(sql.queuedContacts(loc)).toBeGreaterThan(0);
    } finally {
      sql.close();
      memory.close();
    }
  });
});
