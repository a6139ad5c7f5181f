// Every kind of error in a flow file is reported at its file, line and column, with a suggestion
// where one helps, and all errors are reported, not only the first.
import { describe, expect, it } from "vitest";
import { type FlowError, parseFlowFile } from "../src/flows/index.ts";

function errorsOf(text: string): FlowError[] {
  const { flow, errors } = parseFlowFile(text, "flow.yaml");
  expect(flow).toBeUndefined();
  expect(errors.length).toBeGreaterThan(0);
  return errors;
}

/** The one error of a file, checked for place and text. */
function oneError(text: string): FlowError {
  const errors = errorsOf(text);
  expect(errors).toHaveLength(1);
  const e = errors[0]!;
  expect(e.file).toBe("flow.yaml");
  return e;
}

const HEAD = `id: f
name: F
trigger:
  op: highlevel.events.contact-create
`;

const TASK_INPUT = `      contactId: "{{ trigger.id }}"
      title: Call
      dueDate: "2030-01-15T15:00:00Z"
`;

describe("YAML and structure", () => {
  it("reports a YAML syntax error at its place", () => {
    const e = oneError("id: f\n\tname: x\n");
    expect(e).toMatchObject({
      line: 2,
      column: 1,
      path: "",
      message: "YAML: Tabs are not allowed as indentation",
    });
    const flow = oneError("id: f\nname: F\ntrigger: {op: x\nsteps: []\n");
    expect(flow).toMatchObject({ line: 4, column: 1 });
    expect(flow.message).toMatch(/^YAML: Flow map .* end with a }/);
  });

  it("reports a duplicate key as a YAML error at the second key", () => {
    const e = oneError(`${HEAD}name: G\nsteps: []\n`);
    expect(e).toMatchObject({ line: 5, column: 1 });
    expect(e.message).toMatch(/unique/i);
  });

  it("reports an empty file and a file that is not a mapping", () => {
    expect(oneError("").message).toMatch(/empty/);
    expect(oneError("# only a comment\n").message).toMatch(/empty/);
    expect(oneError("- a\n- b\n")).toMatchObject({
      line: 1,
      column: 1,
      message: expect.stringMatching(/mapping/),
    });
  });

  it("names an unknown key with the closest known one", () => {
    const errors = errorsOf(`${HEAD}stpes:\n  - id: a\n    op: highlevel.contacts.tags.add\n`);
    expect(errors).toEqual([
      {
        file: "flow.yaml",
        line: 1,
        column: 1,
        path: "steps",
        message: 'missing required key "steps" in the flow',
      },
      {
        file: "flow.yaml",
        line: 5,
        column: 1,
        path: "stpes",
        message: 'unknown key "stpes" in the flow',
        suggestion: 'Did you mean "steps"?',
      },
    ]);
  });

  it("names an unknown step key at its line and column", () => {
    const errors = errorsOf(`${HEAD}steps:
  - id: task
    op: highlevel.contacts.tasks.create
    inputs:
${TASK_INPUT}`);
    const unknown = errors.find((e) => e.message.includes('unknown key "inputs"'));
    expect(unknown).toMatchObject({
      line: 8,
      column: 5,
      path: "steps[0].inputs",
      suggestion: 'Did you mean "input"?',
    });
  });

  it("reports a missing required key at the mapping that lacks it", () => {
    const e = oneError(`id: f
trigger:
  op: highlevel.events.contact-create
steps:
  - id: task
    op: highlevel.contacts.tasks.create
    input:
${TASK_INPUT}`);
    expect(e).toMatchObject({
      line: 1,
      column: 1,
      path: "name",
      message: 'missing required key "name" in the flow',
    });
  });

  it("reports values of the wrong shape", () => {
    const errors = errorsOf(`id: Not A Slug
name: F
enabled: "yes"
trigger:
  op: highlevel.events.contact-create
steps:
  - id: 9task
    op: highlevel.contacts.tasks.create
    input:
${TASK_INPUT}    continueOnError: 1
alerts:
  webhook: ftp://example.com
`);
    expect(errors.map((e) => [e.line, e.column, e.path])).toEqual([
      [1, 5, "id"],
      [3, 10, "enabled"],
      [7, 9, "steps[0].id"],
      [13, 22, "steps[0].continueOnError"],
      [15, 12, "alerts.webhook"],
    ]);
    expect(errors[0]?.message).toMatch(/lowercase slug/);
    expect(errors[2]?.message).toMatch(/letters, digits and _/);
  });

  it("asks for at least one step", () => {
    const e = oneError(`${HEAD}steps: []\n`);
    expect(e).toMatchObject({ line: 5, column: 8, path: "steps", message: "a flow needs at least one step" });
  });
});

describe("catalog operations", () => {
  it("suggests the closest key for an unknown operation", () => {
    const e = oneError(`${HEAD}steps:
  - id: task
    op: highlevel.contact.tasks.create
    input:
${TASK_INPUT}`);
    expect(e).toMatchObject({
      line: 7,
      column: 9,
      path: "steps[0].op",
      message: 'unknown operation "highlevel.contact.tasks.create"',
    });
    expect(e.suggestion).toMatch(/^Did you mean "highlevel.contacts.tasks.create"( or "[^"]+")*\?$/);
  });

  it("suggests the key when an operation is written by its name", () => {
    const e = oneError(`${HEAD}steps:
  - id: task
    op: Create Contact Task
    input:
${TASK_INPUT}`);
    expect(e).toMatchObject({ line: 7, column: 9, suggestion: 'Write "highlevel.contacts.tasks.create".' });
  });

  it("refuses an action as the trigger", () => {
    const e = oneError(`id: f
name: F
trigger:
  op: highlevel.contacts.tasks.create
steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input: { contactId: "{{ trigger.id }}", tags: [a] }
`);
    expect(e).toMatchObject({ line: 4, column: 7, path: "trigger.op" });
    expect(e.message).toBe('"highlevel.contacts.tasks.create" is an action; a flow starts with a trigger');
  });

  it("refuses a trigger that cannot read as a step, and accepts one that can", () => {
    const e = oneError(`${HEAD}steps:
  - id: a
    op: highlevel.events.contact-update
`);
    expect(e).toMatchObject({
      line: 7,
      column: 9,
      message: '"highlevel.events.contact-update" is a trigger that cannot run as a step',
    });
    const ok = parseFlowFile(
      `${HEAD}steps:\n  - id: a\n    op: highlevel.contacts.get\n    input: { contactId: x }\n`,
      "f.yaml",
    );
    expect(ok.errors).toEqual([]);
    expect(ok.flow?.steps[0]?.kind).toBe("read");
  });
});

describe("operation inputs", () => {
  it("names an unknown input field with the closest one", () => {
    const e = oneError(`${HEAD}steps:
  - id: task
    op: highlevel.contacts.tasks.create
    input:
${TASK_INPUT}      asignedTo: u1
`);
    expect(e).toMatchObject({
      line: 12,
      column: 7,
      path: "steps[0].input.asignedTo",
      message: '"asignedTo" is not an input of highlevel.contacts.tasks.create',
      suggestion: 'Did you mean "assignedTo"?',
    });
  });

  it("lists the inputs when no name is close, and says when there are none", () => {
    const e = oneError(`id: f
name: F
trigger:
  op: highlevel.events.contact-create
  input:
    zzz: 1
steps:
  - id: a
    op: highlevel.contacts.get
    input: { contactId: x }
`);
    expect(e).toMatchObject({
      line: 6,
      column: 5,
      path: "trigger.input.zzz",
      suggestion: "It takes no input.",
    });
  });

  it("reports a required input that is not mapped", () => {
    const e = oneError(`${HEAD}steps:
  - id: task
    op: highlevel.contacts.tasks.create
    input:
      contactId: "{{ trigger.id }}"
      title: Call
`);
    expect(e).toMatchObject({
      line: 8,
      column: 5,
      path: "steps[0].input",
      message: 'missing input "dueDate" (Due) of highlevel.contacts.tasks.create',
    });
  });

  it("reports missing inputs at the op when there is no input at all", () => {
    const errors = errorsOf(`${HEAD}steps:\n  - id: task\n    op: highlevel.contacts.tasks.create\n`);
    expect(errors.map((e) => [e.line, e.column, e.message.replace(/ \(.*/, "")])).toEqual([
      [7, 9, 'missing input "contactId"'],
      [7, 9, 'missing input "title"'],
      [7, 9, 'missing input "dueDate"'],
    ]);
  });

  it("checks literal values against the field and leaves templates to the run", () => {
    const errors = errorsOf(`${HEAD}steps:
  - id: task
    op: highlevel.contacts.tasks.create
    input:
      contactId: "{{ trigger.id }}"
      title: Call
      dueDate: next tuesday-ish
      completed: "yes"
`);
    expect(errors.map((e) => [e.line, e.column, e.path])).toEqual([
      [11, 16, "steps[0].input.dueDate"],
      [12, 18, "steps[0].input.completed"],
    ]);
    expect(errors[0]?.message).toBe('dueDate: Due "next tuesday-ish" is not a date or time I can read');
    expect(errors[1]?.message).toMatch(/^completed: /);
  });
});

describe("triggers and intervals", () => {
  const polling = (trigger: string) => `id: f
name: F
trigger:
${trigger}steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input: { contactId: "{{ trigger.id }}", tags: [a] }
`;

  it("keeps `every` within 1 to 15 minutes", () => {
    for (const [every, hint] of [
      ["20m", "15m"],
      ["30s", "1m"],
    ] as const) {
      const e = oneError(polling(`  op: highlevel.contacts.new\n  every: ${every}\n`));
      expect(e).toMatchObject({ line: 5, column: 10, path: "trigger.every" });
      expect(e.message).toBe(`every must be 1 to 15 minutes (got ${every})`);
      expect(e.suggestion).toContain(hint);
    }
    expect(oneError(polling(`  op: highlevel.contacts.new\n  every: 5 minuets\n`)).message).toMatch(/"5m"/);
  });

  it("refuses an interval on an instant trigger and on a webhook", () => {
    const instant = oneError(polling(`  op: highlevel.events.contact-create\n  every: 5m\n`));
    expect(instant).toMatchObject({
      line: 5,
      column: 3,
      path: "trigger.every",
      suggestion: "Remove `every`.",
    });
    expect(instant.message).toMatch(/is instant/);
    const hook = oneError(polling(`  webhook: {}\n  every: 5m\n`));
    expect(hook).toMatchObject({ line: 5, column: 3 });
    expect(hook.message).toMatch(/for polling triggers/);
  });

  it("needs exactly one of op and webhook", () => {
    expect(oneError(polling(`  every: 5m\n`))).toMatchObject({ line: 4, column: 3, path: "trigger" });
    const both = oneError(polling(`  op: highlevel.contacts.new\n  webhook: {}\n`));
    expect(both.message).toMatch(/not both/);
  });

  it("keeps retry within its limits", () => {
    const errors = errorsOf(`${HEAD}steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input: { contactId: "{{ trigger.id }}", tags: [a] }
    retry: { attempts: 11, backoff: 2h }
`);
    expect(errors.map((e) => [e.line, e.path])).toEqual([
      [9, "steps[0].retry.attempts"],
      [9, "steps[0].retry.backoff"],
    ]);
  });
});

describe("steps and references", () => {
  it("reports duplicate step ids at the second one", () => {
    const e = oneError(`${HEAD}steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input: { contactId: "{{ trigger.id }}", tags: [a] }
  - id: tag
    op: highlevel.contacts.tags.add
    input: { contactId: "{{ trigger.id }}", tags: [b] }
`);
    expect(e).toMatchObject({
      line: 9,
      column: 9,
      path: "steps[1].id",
      message: 'duplicate step id "tag" (also steps[0])',
    });
  });

  it("reports references to unknown, later and own steps at the column of the reference", () => {
    const errors = errorsOf(`${HEAD}steps:
  - id: first
    op: highlevel.contacts.tags.add
    input: { contactId: "{{ steps.second.output.id }}", tags: [a] }
  - id: second
    op: highlevel.contacts.tags.add
    input:
      contactId: "{{ steps.frist.output.id }}"
      tags: "{{ steps.second.output.tags }}"
`);
    expect(errors.map((e) => [e.line, e.column, e.path])).toEqual([
      [8, 29, "steps[0].input.contactId"],
      [12, 22, "steps[1].input.contactId"],
      [13, 17, "steps[1].input.tags"],
    ]);
    expect(errors[0]?.message).toBe(
      '"steps.second.output.id": step "second" runs after step "first"; a step can only read earlier steps',
    );
    expect(errors[1]?.message).toBe('"steps.frist.output.id": there is no step "frist"');
    expect(errors[1]?.suggestion).toBe('Did you mean "steps.first"?');
    expect(errors[2]?.message).toMatch(/cannot read its own output/);
  });

  it("asks for `output` after a step id (a template error) and for known vars", () => {
    const errors = errorsOf(`${HEAD}vars:
  owner: u1
steps:
  - id: first
    op: highlevel.contacts.get
    input: { contactId: "{{ trigger.id }}" }
  - id: second
    op: highlevel.contacts.tags.add
    input:
      contactId: "{{ steps.first.contact.id }}"
      tags: "{{ vars.ownr }}"
`);
    expect(errors.map((e) => [e.line, e.column, e.suggestion])).toEqual([
      [14, 34, undefined],
      [15, 17, 'Did you mean "vars.owner"?'],
    ]);
    expect(errors[0]?.message).toMatch(/^template error: a step's result is read as steps.first.output/);
    expect(errors[1]?.message).toBe('"vars.ownr": no var "ownr" in the flow\'s vars');
  });

  it("does not let the filter or the trigger's input read steps or the trigger", () => {
    const errors = errorsOf(`id: f
name: F
trigger:
  op: highlevel.contacts.new
  input:
    query: "{{ trigger.name }}"
filter: "{{ steps.tag.output.ok }}"
steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input: { contactId: "{{ trigger.id }}", tags: [a] }
`);
    expect(errors.map((e) => [e.line, e.path])).toEqual([
      [6, "trigger.input.query"],
      [7, "filter"],
    ]);
    expect(errors[0]?.message).toMatch(/the trigger's input is read before the trigger has data/);
    expect(errors[1]?.message).toMatch(/the filter is read before any step runs/);
  });
});

describe("several errors", () => {
  it("reports all of them, in file order", () => {
    const errors = errorsOf(`id: f
name: F
trigger:
  op: highlevel.contacts.nwe
stpes: []
steps:
  - id: task
    op: highlevel.contacts.tasks.create
    input:
      contactId: "{{ trigger.id }}"
      titel: Call
      dueDate: "2030-01-15T15:00:00Z"
`);
    expect(errors.map((e) => [e.line, e.path])).toEqual([
      [4, "trigger.op"],
      [5, "stpes"],
      [9, "steps[0].input"],
      [11, "steps[0].input.titel"],
    ]);
    expect(errors[0]?.suggestion).toBe('Did you mean "highlevel.contacts.new"?');
    expect(errors[1]?.suggestion).toBe('Did you mean "steps"?');
    expect(errors[3]?.suggestion).toBe('Did you mean "title"?');
  });
});

describe("templates and conditions", () => {
  it("places a template error at the character inside the value, in every YAML string style", () => {
    const errors = errorsOf(`${HEAD}steps:
  - id: task
    op: highlevel.contacts.tasks.create
    input:
      contactId: "{{ trigger.id }}"
      title: "Call {{ trigger.firstName | uper }}"
      dueDate: '{{ now | add("1 day") }}'
      body: Hi {{ trigger.name
`);
    expect(errors.map((e) => [e.line, e.column, e.path])).toEqual([
      [10, 43, "steps[0].input.title"],
      [12, 31, "steps[0].input.body"],
    ]);
    expect(errors[0]?.message).toBe(
      'template error: unknown transform "uper" (did you mean "upper"?); see docs/mapping.md for the list',
    );
    // The mapping language's own column becomes the file's line and column.
    expect(errors[1]?.message).toBe(
      'template error: expected "}}" to close the expression opened at line 12, column 16, found the end',
    );
  });

  it("places an error inside a block scalar on its own line", () => {
    const e = oneError(`${HEAD}steps:
  - id: note
    op: highlevel.contacts.notes.create
    input:
      contactId: "{{ trigger.id }}"
      body: |
        Hello {{ trigger.firstName }},
        your state is {{ trigger.state | }}
`);
    expect(e).toMatchObject({ line: 12, column: 42, path: "steps[0].input.body" });
    expect(e.message).toBe('template error: expected a transform name after "|", found "}}"');
  });

  it("checks lookup tables and tables.NAME against the flow's tables", () => {
    const errors = errorsOf(`${HEAD}tables:
  states: { CA: California }
steps:
  - id: note
    op: highlevel.contacts.notes.create
    input:
      contactId: "{{ trigger.id }}"
      body: "{{ trigger.state | lookup('stats') }} {{ tables.sates.CA }}"
`);
    expect(errors.map((e) => [e.line, e.column, e.message, e.suggestion])).toEqual([
      [12, 41, 'lookup("stats"): no table "stats" in the flow\'s tables', 'Did you mean "states"?'],
      [12, 55, '"tables.sates.CA": no table "sates" in the flow\'s tables', 'Did you mean "tables.states"?'],
    ]);
  });

  it("places condition errors: text conditions at the column, structured ones at the key", () => {
    const errors = errorsOf(`${HEAD}filter: trigger.email == and trigger.phone exists
steps:
  - id: a
    op: highlevel.contacts.get
    input: { contactId: "{{ trigger.id }}" }
    when:
      any:
        - trigger.tags contains "vip"
        - { left: "{{ trigger.city }}", op: equals, right: Paris }
        - left: "{{ trigger.city }}"
          op: ==
          right: "{{ trigger.country | nope }}"
`);
    expect(errors.map((e) => [e.line, e.column, e.path])).toEqual([
      [5, 26, "filter"],
      [13, 45, "steps[0].when.any[1].op"],
    ]);
    expect(errors[0]?.message).toMatch(/^condition error: unknown name "and"/);
    expect(errors[0]?.message).not.toMatch(/\(column/);
    expect(errors[1]?.message).toMatch(/^condition error: unknown op "equals" \(write ==\)/);
  });

  it("places a template error inside a structured condition", () => {
    const e = oneError(`${HEAD}steps:
  - id: a
    op: highlevel.contacts.get
    input: { contactId: "{{ trigger.id }}" }
    when:
      left: "{{ trigger.city }}"
      op: ==
      right: "{{ trigger.country | nope }}"
`);
    expect(e).toMatchObject({ line: 12, column: 36, path: "steps[0].when.right" });
    expect(e.message).toMatch(/^condition error: unknown transform "nope"/);
  });

  it("checks references inside conditions", () => {
    const e = oneError(`${HEAD}steps:
  - id: a
    op: highlevel.contacts.get
    input: { contactId: "{{ trigger.id }}" }
    when: vars.minimum > 3
`);
    expect(e).toMatchObject({ line: 9, column: 11, path: "steps[0].when" });
    expect(e.message).toBe('"vars.minimum": no var "minimum" in the flow\'s vars');
  });
});
