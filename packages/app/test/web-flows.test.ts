// The builder's flow endpoints, in-process: JSON documents written into hand-written YAML (comments
// and untouched lines kept byte for byte), stale saves refused with the difference, validation without
// saving, files in the flows folder, duplicates, templates, the list's extras, and the home overview.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type WebFixture, webFixture } from "./web-helpers.ts";

const HAND = `# Written by hand: the comments must survive the builder.
id: hand-made
name: Hand made   # keep this comment
trigger:
  webhook: {}
steps:
  # first a note
  - id: note
    op: highlevel.contacts.notes.create
    input:
      contactId: "{{ trigger.id }}"
      body: 'From the hook: {{ trigger.text }}'
    retry: { attempts: 2, backoff: 10s }
  # then a tag
  - id: tag
    op: highlevel.contacts.tags.add
    input:
      contactId: "{{ trigger.id }}"
      tags: [hook, hand]
`;

let f: WebFixture;

beforeAll(async () => {
  f = await webFixture();
});
afterAll(async () => {
  await f?.close();
});

describe("flows from the builder", () => {
  it("keeps comments and untouched lines byte for byte when one field changes", async () => {
    const created = await f.call("POST", "/api/flows", { source: HAND });
    expect(created.status).toBe(201);
    const file = path.join(f.flowsDir, "hand-made.yaml");
    expect(readFileSync(file, "utf8")).toBe(HAND);

    const got = await f.call("GET", "/api/flows/hand-made");
    expect(got.json.flow.version).toMatch(/^[0-9a-f]{16}$/);
    expect(got.json.flow.document).toEqual(parse(HAND));
    const doc = structuredClone(got.json.flow.document);
    doc.steps[0].input.body = "Changed: {{ trigger.text }}";
    const saved = await f.call("PUT", "/api/flows/hand-made", {
      document: doc,
      baseVersion: got.json.flow.version,
    });
    expect(saved.status).toBe(200);
    const text = readFileSync(file, "utf8");
    const before = HAND.split("\n");
    const after = text.split("\n");
    expect(after.length).toBe(before.length);
    expect(after.filter((line, i) => line !== before[i])).toEqual([
      "      body: 'Changed: {{ trigger.text }}'",
    ]);
    expect(saved.json.flow.source).toBe(text);
    expect(saved.json.flow.version).not.toBe(got.json.flow.version);
  });

  it("refuses a save from a stale version with the current text and the difference; nothing is overwritten", async () => {
    const got = await f.call("GET", "/api/flows/hand-made");
    const stale = got.json.flow.version;
    const first = structuredClone(got.json.flow.document);
    first.name = "First tab";
    expect(
      (await f.call("PUT", "/api/flows/hand-made", { document: first, baseVersion: stale })).status,
    ).toBe(200);
    const second = structuredClone(got.json.flow.document);
    second.name = "Second tab";
    const conflict = await f.call("PUT", "/api/flows/hand-made", { document: second, baseVersion: stale });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error).toMatch(/changed since you loaded it/);
    expect(conflict.json.details.currentSource).toContain("name: First tab   # keep this comment");
    expect(conflict.json.details.diff).toContainEqual({
      op: "removed",
      text: "name: First tab   # keep this comment",
    });
    expect(conflict.json.details.diff).toContainEqual({
      op: "added",
      text: "name: Second tab   # keep this comment",
    });
    expect(readFileSync(path.join(f.flowsDir, "hand-made.yaml"), "utf8")).toContain("First tab");
    // A document save must name the version it edited.
    const blind = await f.call("PUT", "/api/flows/hand-made", { document: second });
    expect(blind.status).toBe(400);
    expect(blind.json.error).toMatch(/baseVersion/);
  });

  it("validates without saving, with the line and column of each error", async () => {
    const bad = HAND.replace("hand-made", "bad-one").replace(
      "highlevel.contacts.tags.add",
      "highlevel.contacts.tag.add",
    );
    const res = await f.call("POST", "/api/flows/validate", { source: bad });
    expect(res.status).toBe(200);
    expect(res.json.ok).toBe(false);
    const [error] = res.json.errors;
    expect(error).toMatchObject({ line: 16, column: 9, path: "steps[1].op" });
    expect(error.suggestion).toMatch(/highlevel\.contacts\.tags\.add/);
    expect(error.text).toMatch(/^flow\.yaml:16:9: /);
    expect(await f.engine.store.getFlow("bad-one")).toBeUndefined();
    const ok = await f.call("POST", "/api/flows/validate", { document: parse(HAND) });
    expect(ok.json).toEqual({ ok: true });
    // Saving it is a 422 with the same errors, and no file is written.
    const save = await f.call("POST", "/api/flows", { source: bad });
    expect(save.status).toBe(422);
    expect(save.json.details[0]).toMatchObject({ line: 16, column: 9 });
    expect(existsSync(path.join(f.flowsDir, "bad-one.yaml"))).toBe(false);
  });

  it("creates a flow from a blank document as clean YAML in <flowsDir>/<id>.yaml", async () => {
    const document = {
      id: "from-blank",
      name: "From blank",
      trigger: { op: "highlevel.events.contact-create" },
      steps: [
        {
          id: "task",
          op: "highlevel.contacts.tasks.create",
          input: {
            contactId: "{{ trigger.id }}",
            title: "Call {{ trigger.firstName }}",
            dueDate: "{{ now | iso }}",
          },
        },
      ],
    };
    const res = await f.call("POST", "/api/flows", { document });
    expect(res.status).toBe(201);
    const text = readFileSync(path.join(f.flowsDir, "from-blank.yaml"), "utf8");
    expect(parse(text)).toEqual(document);
    expect(text).toMatch(
      /^id: from-blank\nname: From blank\ntrigger:\n {2}op: highlevel.events.contact-create\n/,
    );
    const again = await f.call("POST", "/api/flows", { document });
    expect(again.status).toBe(409);
  });

  it("duplicates a flow as a disabled copy, comments included", async () => {
    const res = await f.call("POST", "/api/flows/hand-made/duplicate", {});
    expect(res.status).toBe(201);
    expect(res.json.flow).toMatchObject({ id: "hand-made-copy", enabled: false });
    const text = readFileSync(path.join(f.flowsDir, "hand-made-copy.yaml"), "utf8");
    expect(text).toContain("# then a tag");
    expect(parse(text).name).toBe("First tab (copy)");
    const second = await f.call("POST", "/api/flows/hand-made/duplicate", { name: "Another" });
    expect(second.json.flow).toMatchObject({ id: "hand-made-copy-2", name: "Another" });
    expect((await f.call("POST", "/api/flows/hand-made/duplicate", { id: "hand-made" })).status).toBe(409);
  });

  it("deletes a flow with its file", async () => {
    expect((await f.call("DELETE", "/api/flows/hand-made-copy-2")).status).toBe(204);
    expect(existsSync(path.join(f.flowsDir, "hand-made-copy-2.yaml"))).toBe(false);
  });

  it("lists templates and makes a disabled flow from one", async () => {
    const list = await f.call("GET", "/api/templates");
    const names = list.json.templates.map((t: { name: string }) => t.name);
    expect(names).toContain("onboarding-new-contact");
    const t = list.json.templates.find((x: { name: string }) => x.name === "onboarding-new-contact");
    expect(t.description.length).toBeGreaterThan(20);
    expect(t.steps.length).toBeGreaterThan(0);
    const made = await f.call("POST", "/api/flows/from-template", {
      template: "onboarding-new-contact",
      id: "my-onboarding",
    });
    expect(made.status).toBe(201);
    expect(made.json.flow).toMatchObject({ id: "my-onboarding", enabled: false });
    expect(readFileSync(path.join(f.flowsDir, "my-onboarding.yaml"), "utf8")).toMatch(/^# /);
    expect((await f.call("POST", "/api/flows/from-template", { template: "nope" })).status).toBe(404);
  });

  it("lists flows with their last run and 24 h success rate, and searches them", async () => {
    const runs = [];
    for (const status of ["succeeded", "succeeded", "succeeded", "failed"] as const) {
      const { run } = await f.engine.store.createRun({ flowId: "hand-made", trigger: {} });
      await f.engine.store.startRun(run.id);
      runs.push(await f.engine.store.finishRun(run.id, status));
    }
    const list = await f.call("GET", "/api/flows?q=HAND");
    expect(list.json.flows.map((x: { id: string }) => x.id)).toEqual(["hand-made", "hand-made-copy"]);
    const hand = list.json.flows[0];
    expect(hand.successRate24h).toBe(0.75);
    expect(hand.lastRun).toMatchObject({ id: runs[3]!.id, status: "failed" });
    expect(list.json.flows[1].lastRun).toBeUndefined();

    const overview = await f.call("GET", "/api/overview");
    expect(overview.json.flows.total).toBe(4);
    expect(overview.json.runs24h).toMatchObject({ succeeded: 3, failed: 1, queued: 0 });
    expect(overview.json.demo).toBe(false);
  });

  it("writes no file for a flow the engine refuses (unroutable), so fixing it and posting again works", async () => {
    const flow = (connection: string) =>
      `id: unroutable-first\nname: Unroutable first\n${connection}trigger:\n  webhook: {}\nsteps:\n  - id: tag\n    op: highlevel.contacts.tags.add\n    input:\n      contactId: "{{ trigger.id }}"\n      tags: [x]\n`;
    const file = path.join(f.flowsDir, "unroutable-first.yaml");
    const refused = await f.call("POST", "/api/flows", { source: flow("connection: nowhere\n") });
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/nowhere/);
    expect(existsSync(file)).toBe(false);
    const fixed = await f.call("POST", "/api/flows", { source: flow("") });
    expect(fixed.status).toBe(201);
    expect(readFileSync(file, "utf8")).not.toMatch(/nowhere/);
    // A refused replace leaves the file as it was, too.
    const current = await f.call("GET", "/api/flows/unroutable-first");
    const again = await f.call("PUT", "/api/flows/unroutable-first", {
      source: flow("connection: nowhere\n"),
      baseVersion: current.json.flow.version,
    });
    expect(again.status).toBe(422);
    expect(readFileSync(file, "utf8")).not.toMatch(/nowhere/);
  });
});
