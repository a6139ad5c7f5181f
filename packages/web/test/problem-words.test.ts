// The builder's validation messages: plain words at the field ("Contact is required"), no YAML
// positions or "add contactId: under input", and a required field's problem only once revealed.
import { describe, expect, it } from "vitest";
import type { FlowDocument, FlowProblem } from "../src/api/types.ts";
import { fieldKey, placeOf, plainProblem, visibleProblems } from "../src/builder/problem-words.ts";

const doc: FlowDocument = {
  id: "x",
  name: "X",
  trigger: { op: "highlevel.events.contact-create" },
  steps: [
    { id: "task", op: "highlevel.contacts.tasks.create", input: {} },
    { id: "note", op: "highlevel.contacts.notes.create", input: { contactId: 5 } },
  ],
};

// As `POST /api/flows/validate` answers (the engine's messages, with the CLI's text).
const missing = (i: number, name: string, label: string, at = "input"): FlowProblem => ({
  path: `steps[${i}].${at}`,
  line: 8,
  column: 5,
  message: `missing input "${name}" (${label}) of highlevel.contacts.tasks.create`,
  suggestion: `Add ${name}: under input, as a value or a {{ template }}.`,
  text: `flow.yaml:8:5: missing input "${name}" (${label}) of highlevel.contacts.tasks.create (Add ${name}: under input, as a value or a {{ template }}.)`,
});
const wrong: FlowProblem = {
  path: "steps[1].input.contactId",
  message: "contactId: Invalid input: expected string, received number",
};
const unknown: FlowProblem = {
  path: "steps[1].input.bogus",
  message: '"bogus" is not an input of highlevel.contacts.notes.create',
  suggestion: 'Did you mean "body"?',
};

describe("problems in the form's words", () => {
  it("says a missing input is required, at its field, by its label", () => {
    const p = plainProblem(missing(0, "contactId", "Contact"), doc);
    expect(p).toEqual({ path: "steps[0].input.contactId", message: "Contact is required", required: true });
    // Reported at the op when the step has no input at all: the same field.
    expect(plainProblem(missing(0, "title", "Title", "op"), doc).path).toBe("steps[0].input.title");
    expect(JSON.stringify(p)).not.toMatch(/flow\.yaml|under input|contactId:/);
    expect(plainProblem(missing(0, "tags", "Tags"), doc).message).toBe("Tags are required");
    expect(plainProblem(missing(0, "status", "Status"), doc).message).toBe("Status is required");
    expect(plainProblem(missing(0, "address1", "Address"), doc).message).toBe("Address is required");
  });

  it("words a wrong value without the field's key, and keeps a 'did you mean'", () => {
    expect(plainProblem(wrong, doc).message).toBe("Invalid input: expected string, received number");
    expect(plainProblem(unknown, doc).message).toBe(
      '“bogus” is not a field of this step. Did you mean "body"?',
    );
    expect(
      plainProblem(
        { path: "steps[1].input.body", message: 'template error: expected a transform name after "|"' },
        doc,
      ).message,
    ).toBe('Expected a transform name after "|"');
    expect(
      plainProblem({ path: "name", message: "the flow's name must not be empty" }, { ...doc, name: "" }),
    ).toEqual({ path: "name", message: "Name is required", required: true });
  });
});

describe("when a required field's problem shows", () => {
  const problems = [missing(0, "contactId", "Contact"), missing(0, "title", "Title"), wrong];
  it("not before the person has touched the step: wrong values show at once", () => {
    expect(visibleProblems(problems, doc, new Set()).map((p) => p.message)).toEqual([
      "Invalid input: expected string, received number",
    ]);
  });

  it("after leaving that field, after testing the step, and all of them after a save", () => {
    const left = visibleProblems(problems, doc, new Set([fieldKey("steps[0].input.title", doc)]));
    expect(left.map((p) => p.message)).toContain("Title is required");
    expect(left.map((p) => p.message)).not.toContain("Contact is required");
    expect(visibleProblems(problems, doc, new Set(["step:task"]))).toHaveLength(3);
    expect(visibleProblems(problems, doc, new Set(["all"]))).toHaveLength(3);
  });

  it("follows a step by its id when steps move", () => {
    const moved = { ...doc, steps: [doc.steps[1]!, doc.steps[0]!] };
    const atNewPlace = [missing(1, "contactId", "Contact")];
    expect(visibleProblems(atNewPlace, moved, new Set(["step:task"]))).toHaveLength(1);
    expect(visibleProblems(atNewPlace, moved, new Set(["step:note"]))).toHaveLength(0);
    expect(placeOf("steps[1].input.contactId", moved)).toBe("Step 2 (task)");
  });
});
