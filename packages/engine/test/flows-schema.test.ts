// The published JSON Schema: catalog keys as enums, each operation's inputs, up to date in docs/,
// and it agrees with the validator on the examples and on a typo.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { flowJsonSchema } from "../src/flows/index.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

interface Schema {
  $schema?: string;
  properties: Record<string, Schema & { enum?: string[] }>;
  items?: Schema;
  allOf?: Array<{
    if: { properties: { op: { const: string } } };
    then: { properties: { input: Schema & { required?: string[] } } };
  }>;
}

describe("flowJsonSchema", () => {
  const schema = flowJsonSchema() as unknown as Schema;

  it("is draft 2020-12 with trigger keys and step keys as enums", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    const triggerOps = schema.properties.trigger?.properties.op?.enum ?? [];
    const stepOps = schema.properties.steps?.items?.properties.op?.enum ?? [];
    expect(triggerOps).toContain("highlevel.events.contact-create");
    expect(triggerOps).toContain("highlevel.contacts.new");
    expect(triggerOps).not.toContain("highlevel.contacts.tasks.create");
    expect(stepOps).toContain("highlevel.contacts.tasks.create");
    expect(stepOps).toContain("highlevel.contacts.get"); // a read
    expect(stepOps).not.toContain("highlevel.events.contact-create");
  });

  it("completes each operation's input fields", () => {
    const rule = schema.properties.steps?.items?.allOf?.find(
      (r) => r.if.properties.op.const === "highlevel.contacts.tasks.create",
    );
    const input = rule?.then.properties.input;
    expect(Object.keys(input?.properties ?? {})).toEqual(
      expect.arrayContaining(["contactId", "title", "dueDate"]),
    );
    expect(input?.required).toEqual(["contactId", "title", "dueDate"]);
  });

  it("is what docs/flow.schema.json holds (run scripts/generate-flow-schema.ts)", () => {
    const published = readFileSync(path.join(ROOT, "docs/flow.schema.json"), "utf8");
    expect(published).toBe(`${JSON.stringify(flowJsonSchema(), null, 2)}\n`);
  });

  it("accepts the examples and refuses a misspelt operation or key", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(flowJsonSchema());
    const dir = path.join(ROOT, "examples/flows");
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".yaml"))) {
      const data = parse(readFileSync(path.join(dir, f), "utf8"));
      expect([f, validate(data) ? [] : validate.errors]).toEqual([f, []]);
    }
    const bad = {
      id: "x",
      name: "X",
      trigger: { op: "highlevel.events.contact-creat" },
      steps: [{ id: "a", op: "highlevel.contacts.tags.add", input: { contactId: "1", tagz: ["a"] } }],
    };
    expect(validate(bad)).toBe(false);
    const where = (validate.errors ?? []).map((e) => e.instancePath);
    expect(where).toContain("/trigger/op");
    expect(where).toContain("/steps/0/input");
  });
});
