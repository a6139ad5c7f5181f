import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convert } from "../src/custom-fields.ts";
import { getEntry } from "../src/registry.ts";
import { CatalogInputError, runEntry } from "../src/runtime.ts";
import { type Harness, startHarness } from "./helpers.ts";

interface Field {
  id: string;
  name: string;
  dataType: string;
}
interface Contact {
  id: string;
  customFields?: Array<{ id: string; value: unknown }>;
}

describe("custom fields by name", () => {
  let h: Harness;
  let fields: Field[];
  const byName = (n: string) => fields.find((f) => f.name === n)!;
  const fieldValue = (c: Contact, n: string) => c.customFields?.find((f) => f.id === byName(n).id)?.value;

  beforeAll(async () => {
    h = await startHarness();
    fields = (
      (await h.client.call("get-custom-fields", { locationId: h.ctx.locationId })) as {
        customFields: Field[];
      }
    ).customFields;
  });
  afterAll(async () => {
    await h?.sandbox.close();
  });

  it("the sandbox location has the real-estate fields the tests use", () => {
    expect(byName("Estimated Value")).toBeDefined();
    expect(byName("Property Type")).toBeDefined();
  });

  it("create resolves names (any case) to ids and converts values to the field's type", async () => {
    const out = (await runEntry(getEntry("highlevel.contacts.create"), h.ctx, {
      firstName: "Custom",
      email: "custom.create@example.com",
      customFields: { "estimated value": "$250,000", "Property Type": byOptionCase(byName("Property Type")) },
    })) as { contact: Contact };
    const sent = h.sandbox.requests().at(-1)!;
    expect(sent.operationId).toBe("create-contact");
    const stored = (await h.client.call("get-contact", { contactId: out.contact.id })) as {
      contact: Contact;
    };
    expect(fieldValue(stored.contact, "Estimated Value")).toBe(250000);
  });

  it("update and upsert take names too", async () => {
    const created = (await runEntry(getEntry("highlevel.contacts.create"), h.ctx, {
      firstName: "Custom",
      email: "custom.update@example.com",
    })) as { contact: Contact };
    await runEntry(getEntry("highlevel.contacts.update"), h.ctx, {
      contactId: created.contact.id,
      customFields: { "Estimated Value": 310000 },
    });
    let stored = (await h.client.call("get-contact", { contactId: created.contact.id })) as {
      contact: Contact;
    };
    expect(fieldValue(stored.contact, "Estimated Value")).toBe(310000);

    const up = (await runEntry(getEntry("highlevel.contacts.upsert"), h.ctx, {
      email: "custom.update@example.com",
      customFields: { "Estimated Value": "415000" },
    })) as { new: boolean; contact: Contact };
    expect(up.new).toBe(false);
    stored = (await h.client.call("get-contact", { contactId: created.contact.id })) as { contact: Contact };
    expect(fieldValue(stored.contact, "Estimated Value")).toBe(415000);
  });

  it("an unknown name is a clear error with close matches, and nothing is written", async () => {
    const before = h.sandbox.requests().filter((r) => r.method !== "GET").length;
    await expect(
      runEntry(getEntry("highlevel.contacts.create"), h.ctx, {
        firstName: "Typo",
        customFields: { "Estimated Valeu": 1 },
      }),
    ).rejects.toThrow(/Unknown custom field "Estimated Valeu". Close matches: "Estimated Value"/);
    expect(h.sandbox.requests().filter((r) => r.method !== "GET").length).toBe(before);
  });

  it("a value the field's type cannot hold is refused with the field named", () => {
    expect(() => convert({ id: "f", name: "Estimated Value", dataType: "MONETORY" }, "lots")).toThrow(
      /Custom field "Estimated Value" \(MONETORY\): "lots" is not a number/,
    );
    expect(() =>
      convert(
        { id: "f", name: "Type", dataType: "SINGLE_OPTIONS", picklistOptions: ["House", "Land"] },
        "Boat",
      ),
    ).toThrow(/"Boat" is not one of "House", "Land"/);
    expect(
      convert({ id: "f", name: "Type", dataType: "SINGLE_OPTIONS", picklistOptions: ["House"] }, "house"),
    ).toBe("House");
  });

  it("unknown input fields are named, with the known ones", async () => {
    await expect(runEntry(getEntry("highlevel.contacts.create"), h.ctx, { firstNam: "x" })).rejects.toThrow(
      CatalogInputError,
    );
    await expect(runEntry(getEntry("highlevel.contacts.create"), h.ctx, { firstNam: "x" })).rejects.toThrow(
      /unknown field\(s\) "firstNam"; known fields: .*firstName/,
    );
  });
});

function byOptionCase(field: Field & { picklistOptions?: string[] }): string {
  return (field.picklistOptions?.[0] ?? "House").toUpperCase();
}
