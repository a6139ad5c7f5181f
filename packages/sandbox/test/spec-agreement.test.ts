// The client generator and the sandbox read the same documents through the same list of
// corrections (@hlconnect/client/spec/corrections). This checks their results agree, operation by
// operation: a correction applied by one side only, or a reading that differs, fails here.

import { readFileSync } from "node:fs";
import { OPERATIONS } from "@hlconnect/client/generated/operations";
import { correctDocument, SPEC_CORRECTIONS } from "@hlconnect/client/spec/corrections";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../src/index.ts";

type Json = Record<string, unknown>;
/** The generator's request schemas, as committed (generate:check keeps them fresh). */
const generatedBodies = JSON.parse(
  readFileSync(new URL("../../client/src/generated/request-schemas.json", import.meta.url), "utf8"),
) as Record<string, { body: Json | null }>;

/** Follow a JSON pointer (docId#/a/b) into the sandbox's documents, resolving $refs on the way. */
function resolve(pointer: string): Json {
  const documents = loadSpec().documents;
  const [docId, fragment = ""] = pointer.split("#");
  let cur: unknown = documents.get(docId!);
  for (const raw of fragment.split("/").filter(Boolean)) {
    cur = (cur as Json)[decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  const node = cur as Json;
  if (typeof node.$ref === "string") return resolve(new URL(node.$ref, docId).toString().replace("%7B", "{"));
  return node;
}

const paramKey = (p: { name: string; in: string; required: boolean }) => `${p.in}:${p.name}:${p.required}`;

describe("generator and sandbox agree on every operation", () => {
  const sandbox = loadSpec().byKey;

  it("have the same operation keys", () => {
    expect(OPERATIONS.map((o) => o.key).sort()).toEqual([...sandbox.keys()].sort());
  });

  it("agree on parameters (name, in, required), security and whether a body is sent or required", () => {
    const mismatches: string[] = [];
    for (const gen of OPERATIONS) {
      const sb = sandbox.get(gen.key)!;
      const a = gen.parameters.map(paramKey).sort();
      const b = sb.parameters.map(paramKey).sort();
      if (JSON.stringify(a) !== JSON.stringify(b)) mismatches.push(`${gen.key} params: ${a} vs ${b}`);
      const genScopes = [...gen.scopes].sort().join(",");
      const sbScopes = [...new Set(sb.security.flatMap((s) => s.scopes))].sort().join(",");
      if (genScopes !== sbScopes) mismatches.push(`${gen.key} scopes: ${genScopes} vs ${sbScopes}`);
      if (Boolean(gen.body) !== Boolean(sb.body)) mismatches.push(`${gen.key} body presence`);
      else if (gen.body && sb.body && gen.body.required !== sb.body.required)
        mismatches.push(`${gen.key} body required: ${gen.body.required} vs ${sb.body.required}`);
    }
    expect(mismatches).toEqual([]);
  });

  it("agree on each body schema's presence and required fields", () => {
    const mismatches: string[] = [];
    let compared = 0;
    for (const gen of OPERATIONS) {
      const sb = sandbox.get(gen.key)!;
      const generated = generatedBodies[gen.key]?.body ?? null;
      const own = sb.body?.schemaRef ? resolve(sb.body.schemaRef) : null;
      if (Boolean(generated) !== Boolean(own)) {
        mismatches.push(`${gen.key}: body schema ${generated ? "only in generator" : "only in sandbox"}`);
        continue;
      }
      if (!generated || !own) continue;
      compared++;
      const a = [...((generated.required as string[] | undefined) ?? [])].sort();
      const b = [...((own.required as string[] | undefined) ?? [])].sort();
      if (JSON.stringify(a) !== JSON.stringify(b)) mismatches.push(`${gen.key} required: [${a}] vs [${b}]`);
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(200);
  });

  it("see the corrections (the generator's output carries them, not the raw documents)", () => {
    const bulk = OPERATIONS.find((o) => o.key === "contacts:create-association")!;
    expect(bulk.securitySchemes).toEqual(["Location-Access"]);
    expect(bulk.scopes).toEqual(["contacts.write"]);
    expect(generatedBodies["search-contacts-advanced"]!.body!.required).toEqual(["locationId"]);
    expect(generatedBodies["send-a-new-message"]!.body!.required).toEqual(["type", "contactId"]);
    expect(resolve(sandbox.get("send-a-new-message")!.body!.schemaRef!).required).toEqual([
      "type",
      "contactId",
    ]);
  });
});

describe("the corrections list", () => {
  it("gives every correction a unique id and its evidence", () => {
    const ids = SPEC_CORRECTIONS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of SPEC_CORRECTIONS) expect(c.evidence.length, c.id).toBeGreaterThan(30);
  });

  it("names the correction and document when a document no longer has what it corrects", () => {
    const doc = { paths: {}, components: { schemas: {} } };
    expect(() => correctDocument("conversations", doc)).toThrow(
      /spec correction conversations-send-message-required \(conversations\.json\): schema SendMessageBodyDto is missing/,
    );
  });
});
