import { getOperation, WEBHOOK_EVENT_TYPES } from "@hlconnect/client";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { inputJsonSchema, summarize } from "../src/describe.ts";
import { CATALOG, getEntry } from "../src/registry.ts";
import { seedOperations } from "../src/seed.ts";

describe("catalog coverage", () => {
  it("holds every seed operation by its seed name, kind and endpoint", () => {
    const seed = seedOperations();
    expect(seed).toHaveLength(124);
    for (const op of seed) {
      const matches = CATALOG.filter((e) => e.seedName === op.name);
      expect(matches.length, `seed "${op.name}"`).toBeGreaterThanOrEqual(1);
      const key = (() => {
        try {
          return getOperation(op.operationId).key;
        } catch {
          return getOperation(`${op.spec}:${op.operationId}`).key;
        }
      })();
      const entry = matches.find((e) => e.operations.includes(key));
      expect(entry, `seed "${op.name}" calls ${key}`).toBeDefined();
      expect(entry!.kind).toBe(op.kind);
      expect(entry!.category).toBe(op.category);
      expect(entry!.description).toBe(op.description);
    }
  });

  it("has the extras users need beyond the seed", () => {
    for (const key of [
      "highlevel.contacts.find",
      "highlevel.contacts.new",
      "highlevel.contacts.updated",
      "highlevel.opportunities.new",
      "highlevel.opportunities.stage-changed",
      "highlevel.contacts.tasks.new",
      "highlevel.calendars.appointments.new",
      "highlevel.conversations.send-sms",
      "highlevel.conversations.send-email",
      "highlevel.api.request",
    ]) {
      expect(() => getEntry(key), key).not.toThrow();
    }
  });

  it("makes every documented webhook event an instant trigger with the documented example", () => {
    const instant = CATALOG.filter((e) => e.kind === "trigger" && e.trigger.type === "instant");
    const events = instant.map((e) =>
      e.kind === "trigger" && e.trigger.type === "instant" ? e.trigger.event : "",
    );
    expect([...events].sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    const contactCreate = getEntry("highlevel.events.contact-create");
    expect(contactCreate.name).toBe("Contact Created (instant)");
    expect(contactCreate.output.sample).toMatchObject({ type: "ContactCreate" });
  });

  it("gives every entry a complete declaration: summary, JSON-schema input with labels, output, example", () => {
    for (const e of CATALOG) {
      const s = summarize(e);
      expect(s.key).toMatch(/^(highlevel|batchdata|batchleads)\.[a-z0-9.-]+$/);
      expect(s.description.length, e.key).toBeGreaterThan(5);
      const schema = inputJsonSchema(e) as { properties?: Record<string, { label?: string }> };
      for (const [name, p] of Object.entries(schema.properties ?? {})) {
        expect(typeof p.label, `${e.key}.${name} has a label`).toBe("string");
      }
      expect(e.output.description.length, e.key).toBeGreaterThan(3);
      if (e.kind === "action") expect(["safe", "reconcilable", "unsafe"]).toContain(e.idempotency);
      if (e.kind === "action" && e.idempotency === "reconcilable") {
        expect(typeof e.reconcile, `${e.key} is reconcilable, so it must say how to look the result up`).toBe(
          "function",
        );
      }
    }
  });

  it("points every option source at an existing catalog read", () => {
    let sources = 0;
    for (const e of CATALOG) {
      const shape = (e.input as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
      for (const [name, field] of Object.entries(shape)) {
        const meta =
          z.globalRegistry.get(field) ??
          z.globalRegistry.get((field as z.ZodOptional<z.ZodType>).unwrap?.() ?? field);
        const options = (meta as { options?: { entry: string } } | undefined)?.options;
        if (!options) continue;
        sources++;
        expect(() => getEntry(options.entry), `${e.key}.${name} -> ${options.entry}`).not.toThrow();
      }
    }
    expect(sources).toBeGreaterThan(20);
  });
});
