import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEntry, pollEntry, runEntry } from "../src/index.ts";
import { type Harness, startHarness } from "./helpers.ts";

interface Field {
  id: string;
  name: string;
  fieldKey: string;
  model: string;
  dataType: string;
}

describe("locations, custom fields and the agency", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.sandbox.close();
  });

  it("List Custom Fields answers every object's fields by default, or one object's", async () => {
    const entry = getEntry("highlevel.locations.custom-fields.list");
    const all = (await runEntry(entry, h.ctx, {})) as { customFields: Field[] };
    const models = new Set(all.customFields.map((f) => f.model));
    expect(models).toEqual(new Set(["contact", "opportunity"]));
    expect(all.customFields.map((f) => f.name)).toContain("Estimated Value");
    for (const f of all.customFields)
      expect(f).toMatchObject({ id: expect.any(String), dataType: expect.any(String) });

    const contact = (await runEntry(entry, h.ctx, { model: "contact" })) as { customFields: Field[] };
    expect(contact.customFields.length).toBeGreaterThan(0);
    expect(contact.customFields.every((f) => f.model === "contact")).toBe(true);
    expect(contact.customFields.length).toBeLessThan(all.customFields.length);

    await expect(runEntry(entry, h.ctx, { model: "contacts" })).rejects.toThrow(/model: /);
  });

  it("List Custom Fields is what the custom-field error message points to, and what the resolver reads", async () => {
    const err = await h.ctx.customFields.find("Estimated Valeu").catch((e: Error) => e);
    expect((err as Error).message).toContain("highlevel.locations.custom-fields.list");
    expect((err as Error).message).toContain('"Estimated Value"');
    const listed = (await runEntry(getEntry("highlevel.locations.custom-fields.list"), h.ctx, {})) as {
      customFields: Field[];
    };
    const resolved = await h.ctx.customFields.list();
    expect(resolved.map((f) => f.id).sort()).toEqual(listed.customFields.map((f) => f.id).sort());
  });

  it("List Custom Fields polls as a snapshot: nothing new, one request", async () => {
    const entry = getEntry("highlevel.locations.custom-fields.list");
    const first = await pollEntry(entry, h.ctx, {}, undefined);
    expect(first.items).toEqual([]);
    const again = await pollEntry(entry, h.ctx, {}, first.cursor);
    expect(again).toMatchObject({ items: [], requests: 1 });
  });

  it("agency-only entries run with an agency token and refuse a location token before any request", async () => {
    const company = (await runEntry(getEntry("highlevel.companies.get"), h.agencyCtx, {})) as {
      company: { id: string; name: string };
    };
    expect(company.company.id).toBe(h.sandbox.info.companyId);
    const snapshots = (await runEntry(getEntry("highlevel.snapshots.list"), h.agencyCtx, {})) as {
      snapshots: Array<{ id: string; name: string }>;
    };
    expect(snapshots.snapshots.length).toBeGreaterThan(0);

    const before = h.sandbox.requests().length;
    for (const key of ["highlevel.companies.get", "highlevel.snapshots.list"]) {
      await expect(runEntry(getEntry(key), h.ctx, {})).rejects.toThrow(/needs an agency \(company\) token/);
    }
    expect(h.sandbox.requests().length).toBe(before);
  });

  it("Create Location makes it in the connection's agency and reconciles by name", async () => {
    const entry = getEntry("highlevel.locations.create");
    const made = (await runEntry(entry, h.agencyCtx, {
      name: "Reconcile Realty",
      phone: "415 555 0190",
    })) as {
      id: string;
      companyId: string;
      phone: string;
    };
    expect(made.companyId).toBe(h.sandbox.info.companyId);
    expect(made.phone).toBe("+14155550190");
    if (entry.kind !== "action") throw new Error("an action");
    const found = (await entry.reconcile?.(h.agencyCtx, { name: "reconcile realty" })) as { id: string };
    expect(found.id).toBe(made.id);
  });

  it("Find Location by ID reads the connection's location when none is given", async () => {
    const out = (await runEntry(getEntry("highlevel.locations.get"), h.ctx, {})) as {
      location: { id: string };
    };
    expect(out.location.id).toBe(h.sandbox.info.locationId);
  });
});
