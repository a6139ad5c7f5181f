import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OPERATIONS } from "../src/generated/operations.ts";
import { buildRequest, findOperationByPath, getOperation } from "../src/request-builder.ts";

const SPEC_DIR = path.resolve(import.meta.dirname, "../../../specs/highlevel/v2/apps");

interface RawOp {
  operationId: string;
  parameters?: Array<{ in: string; name: string; schema?: { enum?: string[] } }>;
}

// Read the specs independently of the generator, so a generator bug cannot hide itself.
function specOperations() {
  const out: Array<{ service: string; operationId: string; method: string; path: string; version?: string }> =
    [];
  for (const f of readdirSync(SPEC_DIR).filter((x) => x.endsWith(".json"))) {
    const spec = JSON.parse(readFileSync(path.join(SPEC_DIR, f), "utf8"));
    for (const [p, item] of Object.entries<Record<string, RawOp>>(spec.paths)) {
      for (const m of ["get", "post", "put", "patch", "delete"]) {
        const op = item[m];
        if (!op) continue;
        const v = (op.parameters ?? []).find((x) => x.in === "header" && x.name === "Version");
        out.push({
          service: f.slice(0, -5),
          operationId: op.operationId,
          method: m.toUpperCase(),
          path: p,
          version: v?.schema?.enum?.[0],
        });
      }
    }
  }
  return out;
}

describe("generated operation table", () => {
  const fromSpec = specOperations();

  it("holds every one of the 576 v2 operations with the spec's method, path and Version", () => {
    expect(fromSpec).toHaveLength(576);
    expect(OPERATIONS).toHaveLength(576);
    for (const s of fromSpec) {
      const o = OPERATIONS.find(
        (x) => x.service === s.service && x.operationId === s.operationId && x.path === s.path,
      );
      expect(o, `${s.service} ${s.operationId}`).toBeDefined();
      expect(o?.method).toBe(s.method);
      expect(o?.version).toBe(s.version ?? null);
    }
  });

  it("gives every operation a unique key, qualifying only ids two services share", () => {
    const keys = new Set(OPERATIONS.map((o) => o.key));
    expect(keys.size).toBe(576);
    expect(getOperation("get-contact").path).toBe("/contacts/{contactId}");
    expect(getOperation("contacts:create-association").path).toBe("/contacts/bulk/tags/update/{type}");
    expect(() => getOperation("create-association")).toThrow(/ambiguous.*associations:create-association/);
    expect(() => getOperation("get-contactz")).toThrow(/Did you mean "get-contact"/);
  });

  it("declares the path parameters the spec forgets, and the bulk-tag scope", () => {
    const bulk = getOperation("contacts:create-association");
    expect(bulk.parameters).toContainEqual({ name: "type", in: "path", required: true, type: "string" });
    expect(bulk.scopes).toEqual(["contacts.write"]);
    const note = getOperation("update-appointment-note");
    expect(
      note.parameters
        .filter((p) => p.in === "path")
        .map((p) => p.name)
        .sort(),
    ).toEqual(["appointmentId", "noteId"]);
  });

  it("folds security schemes into the token kinds an operation takes", () => {
    expect(getOperation("get-contact").security).toBe("location");
    expect(getOperation("create-location").security).toBe("agency");
    const either = OPERATIONS.filter((o) => o.security === "either");
    expect(either.length).toBeGreaterThan(0);
    for (const o of either) expect(o.securitySchemes.some((s) => s.startsWith("Agency"))).toBe(true);
  });
});

describe("request building", () => {
  const base = { baseUrl: "http://127.0.0.1:1/", locationId: "loc1" };

  it("sends each operation's declared Version, not one value for all", () => {
    const contact = buildRequest(getOperation("get-contact"), { contactId: "c 1" }, undefined, base);
    expect(contact.url).toBe("http://127.0.0.1:1/contacts/c%201");
    expect(contact.headers.Version).toBe("2021-07-28");
    const cal = buildRequest(getOperation("get-calendars"), {}, undefined, base);
    expect(cal.headers.Version).toBe("2021-04-15");
    expect(cal.url).toBe("http://127.0.0.1:1/calendars/?locationId=loc1");
  });

  it("fills the bulk-tag {type} and serialises the JSON body", () => {
    const r = buildRequest(
      getOperation("contacts:create-association"),
      { type: "add" },
      { contacts: ["a"], tags: ["hot"], locationId: "loc1" },
      base,
    );
    expect(r.method).toBe("POST");
    expect(r.url).toBe("http://127.0.0.1:1/contacts/bulk/tags/update/add");
    expect(JSON.parse(String(r.body))).toEqual({ contacts: ["a"], tags: ["hot"], locationId: "loc1" });
    expect(r.headers["Content-Type"]).toBe("application/json");
  });

  it("refuses unknown and missing parameters before any request, with a suggestion", () => {
    expect(() => buildRequest(getOperation("get-contact"), { contactid: "x" }, undefined, base)).toThrow(
      /unknown parameter "contactid" \(did you mean "contactId"\?\).*missing required path parameter "contactId"/,
    );
    expect(() => buildRequest(getOperation("create-contact"), {}, undefined, base)).toThrow(
      /missing required request body/,
    );
  });

  it("finds an operation by path with or without the trailing slash", () => {
    expect(findOperationByPath("POST", "/contacts")?.operationId).toBe("create-contact");
    expect(findOperationByPath("POST", "/contacts/")?.operationId).toBe("create-contact");
    expect(findOperationByPath("GET", "/contacts/abc")?.operationId).toBe("get-contact");
    expect(findOperationByPath("POST", "/contacts/search")?.operationId).toBe("search-contacts-advanced");
  });
});
