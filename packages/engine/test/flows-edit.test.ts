// The builder's JSON written back into hand-written YAML: unchanged parts stay byte for byte.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { applyFlowDocument, renderDocument } from "../src/flows/edit.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const FILES = ["examples/flows", "templates"].flatMap((d) =>
  readdirSync(path.join(ROOT, d)).map((f) => path.join(ROOT, d, f)),
);

const HAND = `# My flow: written by hand
id: hand
name: Hand written   # the name
trigger:
  op: highlevel.events.contact-create
steps:
  # the task comes first
  - id: task
    op: highlevel.contacts.tasks.create
    input:
      contactId: "{{ trigger.id }}"
      title: 'Call {{ trigger.firstName }}'
      dueDate: "{{ now | add('1 day') | iso }}"
    retry: { attempts: 3, backoff: 30s }
  # then a note
  - id: note
    op: highlevel.contacts.notes.create
    input:
      contactId: "{{ trigger.id }}"
      body: >-
        A long body
        on two lines
# end of file
`;

describe("applyFlowDocument", () => {
  it("gives back every example and template unchanged when nothing changed", () => {
    for (const file of FILES) {
      const source = readFileSync(file, "utf8");
      expect(applyFlowDocument(source, parse(source)), file).toBe(source);
    }
  });

  it("changes one field in place and keeps every other line and comment", () => {
    const doc = parse(HAND);
    doc.steps[0].input.title = "Call {{ trigger.name }}";
    const out = applyFlowDocument(HAND, doc);
    expect(parse(out)).toEqual(doc);
    const before = HAND.split("\n");
    const after = out.split("\n");
    expect(after).toHaveLength(before.length);
    const changed = after.flatMap((line, i) => (line === before[i] ? [] : [i]));
    expect(changed).toEqual([11]);
    expect(after[11]).toBe("      title: 'Call {{ trigger.name }}'");
  });

  it("adds, removes and reorders steps, moving their text with their comments", () => {
    const doc = parse(HAND);
    doc.steps.reverse();
    delete doc.steps[1].retry;
    doc.steps.push({ id: "tag", op: "highlevel.contacts.tags.add", input: { contactId: "x", tags: ["a"] } });
    doc.description = "Added";
    const out = applyFlowDocument(HAND, doc);
    expect(parse(out)).toEqual(doc);
    expect(out).toContain("# My flow: written by hand\n");
    expect(out).toContain("name: Hand written   # the name\n");
    expect(out).toContain("      body: >-\n        A long body\n        on two lines\n");
    expect(out).toContain("# end of file");
    expect(out.indexOf("- id: note")).toBeLessThan(out.indexOf("- id: task"));
    expect(out).not.toContain("retry");
  });

  it("renders a new flow as plain YAML", () => {
    const doc = { id: "new", name: "New", trigger: { op: "x" }, steps: [{ id: "a", op: "y", input: {} }] };
    const text = renderDocument(doc);
    expect(parse(text)).toEqual(doc);
    expect(applyFlowDocument("", doc)).toBe(text);
  });
});
