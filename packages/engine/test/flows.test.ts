// A valid flow file parses to the typed flow the runner uses; the shipped examples validate clean.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatFlowError, parseFlowFile } from "../src/flows/index.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const VALID = `id: welcome-call
name: Welcome call
description: A task to call each new contact.
trigger:
  op: highlevel.events.contact-create
filter: "{{ trigger.email }}"
vars:
  assignee: user_123
tables:
  owners:
    CA: user_ca
steps:
  - id: contact
    op: highlevel.contacts.get
    input:
      contactId: "{{ trigger.id }}"
  - id: task
    op: highlevel.contacts.tasks.create
    input:
      contactId: "{{ steps.contact.output.contact.id }}"
      title: "Call {{ trigger.firstName }}"
      dueDate: "2030-01-15T15:00:00Z"
      assignedTo: "{{ vars.assignee }}"
    retry: { attempts: 3, backoff: 10s }
    continueOnError: true
alerts:
  webhook: https://alerts.example.com/hook
`;

describe("parseFlowFile: valid flows", () => {
  it("parses a flow to the typed object", () => {
    const { flow, errors } = parseFlowFile(VALID, "welcome.yaml");
    expect(errors).toEqual([]);
    expect(flow).toMatchObject({
      id: "welcome-call",
      name: "Welcome call",
      description: "A task to call each new contact.",
      enabled: true,
      trigger: { type: "instant", op: "highlevel.events.contact-create", input: {} },
      vars: { assignee: "user_123" },
      tables: { owners: { CA: "user_ca" } },
      alerts: { webhook: "https://alerts.example.com/hook" },
      file: "welcome.yaml",
    });
    expect(flow?.filter).toBeDefined();
    expect(flow?.steps).toHaveLength(2);
    expect(flow?.steps[0]).toEqual({
      id: "contact",
      op: "highlevel.contacts.get",
      kind: "read",
      input: { contactId: "{{ trigger.id }}" },
      continueOnError: false,
    });
    expect(flow?.steps[1]).toMatchObject({
      id: "task",
      op: "highlevel.contacts.tasks.create",
      kind: "action",
      input: { title: "Call {{ trigger.firstName }}", dueDate: "2030-01-15T15:00:00Z" },
      retry: { attempts: 3, backoffMs: 10_000 },
      continueOnError: true,
    });
    expect(flow?.connection).toBeUndefined();
  });

  it("gives polling triggers the default interval of 5 minutes, or the one written", () => {
    const text = (every: string) => `id: poll
name: Poll
trigger:
  op: highlevel.contacts.new
${every}steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input: { contactId: "{{ trigger.id }}", tags: [new] }
`;
    expect(parseFlowFile(text(""), "p.yaml").flow?.trigger).toEqual({
      type: "polling",
      op: "highlevel.contacts.new",
      input: {},
      intervalMs: 300_000,
    });
    const every = parseFlowFile(text("  every: 2m\n"), "p.yaml");
    expect(every.errors).toEqual([]);
    expect(every.flow?.trigger).toMatchObject({ type: "polling", intervalMs: 120_000 });
  });

  it("takes `webhook: {}` (or a bare `webhook:`) as the flow's own endpoint", () => {
    for (const hook of ["webhook: {}", "webhook:"]) {
      const { flow, errors } = parseFlowFile(
        `id: batchleads
name: BatchLeads lead
enabled: false
connection: main
trigger:
  ${hook}
steps:
  - id: note
    op: highlevel.contacts.notes.create
    input:
      contactId: "{{ trigger.contact_id }}"
      body: "From BatchLeads: {{ trigger.address }}"
`,
        "hook.yaml",
      );
      expect(errors).toEqual([]);
      expect(flow).toMatchObject({ trigger: { type: "webhook" }, enabled: false, connection: "main" });
    }
  });

  it("formats an error as file:line:column: message (suggestion)", () => {
    expect(
      formatFlowError({
        file: "a.yaml",
        line: 3,
        column: 5,
        path: "x",
        message: "bad",
        suggestion: "Fix it.",
      }),
    ).toBe("a.yaml:3:5: bad (Fix it.)");
  });
});

describe("examples/flows", () => {
  const dir = path.join(ROOT, "examples/flows");
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));

  it("has the welcome-call and polling examples", () => {
    const flows = files.map((f) => parseFlowFile(readFileSync(path.join(dir, f), "utf8"), f).flow);
    const ops = flows.map((f) => [
      f?.trigger.type === "webhook" ? "webhook" : f?.trigger.op,
      f?.steps.map((s) => s.op),
    ]);
    expect(ops).toContainEqual([
      "highlevel.events.contact-create",
      expect.arrayContaining(["highlevel.contacts.tasks.create"]),
    ]);
    expect(ops).toContainEqual([
      "highlevel.contacts.new",
      expect.arrayContaining(["highlevel.contacts.tags.add"]),
    ]);
  });

  it.each(files)("%s validates clean", (f) => {
    const { flow, errors } = parseFlowFile(readFileSync(path.join(dir, f), "utf8"), f);
    expect(errors.map(formatFlowError)).toEqual([]);
    expect(flow?.id).toBe(f.replace(/\.ya?ml$/, ""));
  });
});

describe("docs/flows.md", () => {
  it("has a full example that validates clean", () => {
    const doc = readFileSync(path.join(ROOT, "docs/flows.md"), "utf8");
    const example = /```yaml\n(# yaml-language-server[\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const { flow, errors } = parseFlowFile(example ?? "", "docs/flows.md");
    expect(errors.map(formatFlowError)).toEqual([]);
    expect(flow?.steps.map((s) => [s.id, s.kind, s.when !== undefined])).toEqual([
      ["contact", "read", false],
      ["task", "action", true],
    ]);
  });
});
