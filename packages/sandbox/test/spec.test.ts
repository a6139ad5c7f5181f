import { describe, expect, it } from "vitest";
import { findOperation, getOperation, loadSpec, validateRequest, validateResponse } from "../src/index.ts";
import { compileAll } from "../src/spec/validate.ts";

/** A concrete URL for an operation's template. */
function sampleUrl(path: string): string {
  return path.replace(/\{[^}]+\}/g, "abcDEF1234567890wxyz");
}

describe("spec table", () => {
  it("has all 576 v2 operations with unique keys", () => {
    const spec = loadSpec();
    expect(spec.operations).toHaveLength(576);
    expect(new Set(spec.operations.map((o) => o.key)).size).toBe(576);
    // Shared operationIds are prefixed with their service.
    expect(spec.byKey.has("contacts:create-association")).toBe(true);
    expect(spec.byKey.has("associations:create-association")).toBe(true);
    expect(spec.allScopes).toContain("contacts.readonly");
  });

  it("routes every operation's own template back to it, with or without a trailing slash", () => {
    for (const op of loadSpec().operations) {
      const url = sampleUrl(op.path);
      expect(findOperation(op.method, url)?.operation.key, `${op.method} ${op.path}`).toBe(op.key);
      const other = url.endsWith("/") ? url.slice(0, -1) : `${url}/`;
      expect(findOperation(op.method, other)?.operation.key, `${op.method} ${other}`).toBe(op.key);
    }
  });

  it("prefers literal segments and extracts path params", () => {
    expect(findOperation("GET", "/contacts/search/duplicate?locationId=x")?.operation.key).toBe(
      "get-duplicate-contact",
    );
    expect(findOperation("POST", "/contacts/search")?.operation.key).toBe("search-contacts-advanced");
    expect(findOperation("GET", "/contacts/abc")).toMatchObject({
      operation: { key: "get-contact" },
      params: { contactId: "abc" },
    });
    expect(findOperation("GET", "/contacts")?.operation.key).toBe("get-contacts");
    expect(findOperation("DELETE", "/contacts/c1/notes/n1")?.params).toEqual({ contactId: "c1", id: "n1" });
    expect(findOperation("GET", "/nope")).toBeNull();
    expect(findOperation("PATCH", "/contacts/abc")).toBeNull();
  });

  it("declares the bulk tag route's {type} and security the spec forgets", () => {
    const m = findOperation("POST", "/contacts/bulk/tags/update/add");
    expect(m?.params).toEqual({ type: "add" });
    expect(m?.operation.security).toEqual([
      { scheme: "Location-Access", userType: "Location", scopes: ["contacts.write"] },
    ]);
    const bad = validateRequest("contacts:create-association", {
      path: { type: "toggle" },
      headers: { Version: "2021-07-28" },
      body: { contacts: [], tags: [], locationId: "x" },
    });
    expect(bad.errors).toEqual(["type must be one of the following values: add, remove"]);
  });

  it("compiles the validators of every operation", () => {
    expect(compileAll()).toBe(576);
  });

  it("resolves operations by key or unique operationId", () => {
    expect(getOperation("get-contact").path).toBe("/contacts/{contactId}");
    expect(() => getOperation("create-association")).toThrow(/ambiguous/);
    expect(() => getOperation("no-such-op")).toThrow(/unknown/);
  });
});

describe("validateRequest", () => {
  it("coerces query strings and reports one message per problem", () => {
    const ok = validateRequest("get-contacts", {
      query: { locationId: "loc", limit: "20", startAfter: "1700000000000" },
      headers: { version: "2021-07-28" },
    });
    expect(ok).toEqual({ valid: true, errors: [] });
    const bad = validateRequest("get-contacts", { query: { limit: "many" }, headers: {} });
    expect(bad.valid).toBe(false);
    expect(bad.errors).toEqual([
      "version header was not found",
      "locationId should not be empty",
      "limit must be a number",
    ]);
  });

  it("checks JSON bodies and nested fields", () => {
    const r = validateRequest("create-contact", {
      headers: { Version: "2021-07-28" },
      body: { email: 5, dndSettings: { SMS: { status: "maybe" } } },
    });
    expect(r.errors).toEqual([
      "locationId should not be empty",
      "email must be a string",
      "dndSettings.SMS.status must be one of the following values: active, inactive, permanent",
    ]);
  });

  it("accepts any date-like Version unless asked to be strict", () => {
    const parts = { headers: { Version: "2023-02-21" }, path: { contactId: "c" } };
    expect(validateRequest("get-contact", parts).valid).toBe(true);
    expect(validateRequest("get-contact", parts, { strictVersion: true }).errors).toEqual([
      "version header must be 2021-07-28 for get-contact",
    ]);
  });
});

describe("validateResponse", () => {
  it("checks a body against the declared schema of the status", () => {
    expect(validateResponse("get-contact", 200, { contact: { id: "x", tags: ["a"] } })).toMatchObject({
      valid: true,
      declared: true,
    });
    const bad = validateResponse("get-contact", 200, { contact: { id: 1, tags: "a" } });
    expect(bad.valid).toBe(false);
    expect(bad.errors).toEqual(["contact.id must be a string", "contact.tags must be an array"]);
  });

  it("says when nothing is declared for a status", () => {
    expect(validateResponse("get-contact", 418, {})).toEqual({ valid: true, errors: [], declared: false });
  });
});
