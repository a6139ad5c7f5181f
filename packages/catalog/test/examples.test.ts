import { getOperation } from "@hlconnect/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveExample } from "../src/examples.ts";
import { CATALOG } from "../src/registry.ts";
import { runEntry } from "../src/runtime.ts";
import { type Harness, startHarness } from "./helpers.ts";

// Every entry's example runs green against a fresh sandbox, every request it sends is accepted
// (the sandbox validates each against the official spec and answers 422 otherwise), and the output
// has the shape the entry's description promises.
describe("catalog examples against the sandbox", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.sandbox.close();
  });

  // Instant triggers have no request to make; their payloads are tested in webhook-triggers.test.ts.
  const runnable = CATALOG.filter((e) => !(e.kind === "trigger" && e.trigger.type === "instant"));
  for (const entry of runnable) {
    it(`${entry.key}: example runs and matches its output description`, async () => {
      const before = h.sandbox.requests().length;
      const input = await resolveExample(h.ctx, entry.example);
      // Agency-only operations run through the agency token (the example is resolved as a location).
      const agency = entry.operations.some((op) => getOperation(op).security === "agency");
      const output = await runEntry(entry, agency ? h.agencyCtx : h.ctx, input);
      const sent = h.sandbox.requests().slice(before);
      expect(sent.length).toBeGreaterThan(0);
      for (const r of sent) expect(r.status, `${r.method} ${r.path}`).toBeLessThan(400);
      const sample = entry.output.sample;
      if (sample && typeof sample === "object" && !Array.isArray(sample)) {
        const want = Object.keys(sample).filter((k) => k !== "traceId");
        expect(output).toBeTypeOf("object");
        // An event-style trigger's sample is one emitted item; its read gives a list of such items.
        const shaped = want.every((k) => k in (output as object)) ? output : firstListItem(output);
        for (const k of want) expect(shaped as object, `${entry.key} output lacks "${k}"`).toHaveProperty(k);
      }
    });
  }
});

/** The first element of the first list in an answer ({contacts: [...]} -> the first contact). */
function firstListItem(output: unknown): unknown {
  if (Array.isArray(output)) return output[0];
  for (const v of Object.values((output ?? {}) as Record<string, unknown>))
    if (Array.isArray(v) && v.length) return v[0];
  return output;
}
