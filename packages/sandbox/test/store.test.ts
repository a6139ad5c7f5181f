import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startSandbox } from "../src/index.ts";
import * as specEntry from "../src/spec.ts";
import { apiFor } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "hl-sandbox-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("dbFile", () => {
  it("keeps data across restarts with the same seed", async () => {
    const file = join(dir, "sandbox.db");
    const first = await startSandbox({ dbFile: file, seed: 9 });
    const created = await apiFor(first)("/contacts/", {
      method: "POST",
      body: { locationId: first.info.locationId, firstName: "Persisted" },
    });
    await first.close();

    const second = await startSandbox({ dbFile: file, seed: 9 });
    try {
      const api = apiFor(second);
      expect(second.info.locationToken).toBe(first.info.locationToken);
      const got = await api(`/contacts/${created.body.contact.id}`);
      expect(got.body.contact.firstName).toBe("Persisted");
      const another = await api("/contacts/", {
        method: "POST",
        body: { locationId: second.info.locationId, firstName: "Later" },
      });
      expect(another.status).toBe(201);
      expect(another.body.contact.id).not.toBe(created.body.contact.id);
    } finally {
      await second.close();
    }
  });
});

describe("package entry points", () => {
  it("exposes the spec helpers on their own", () => {
    expect(specEntry.findOperation("GET", "/contacts/x")?.operation.key).toBe("get-contact");
    expect(typeof specEntry.validateRequest).toBe("function");
    expect(typeof specEntry.validateResponse).toBe("function");
  });
});
