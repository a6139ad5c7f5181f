import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { entryScopes, getEntry } from "@hlconnect/catalog";
import { HighLevelClient } from "@hlconnect/client";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeFor, probeScopes } from "../src/connections/scope-probe.ts";
import { parseFlowFile } from "../src/flows/index.ts";
import { flowRequirements, missingScopes, totalRequirements } from "../src/flows/requirements.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const flowFiles = ["examples/flows", "templates"].flatMap((dir) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => path.join(ROOT, dir, f)),
);

function parse(file: string) {
  const r = parseFlowFile(readFileSync(file, "utf8"), file);
  if (!r.flow) throw new Error(`${file} does not validate`);
  return r.flow;
}

describe("flow requirements", () => {
  it("every example flow and template needs exactly the scopes of its entries", () => {
    expect(flowFiles.length).toBeGreaterThan(5);
    for (const file of flowFiles) {
      const flow = parse(file);
      const req = flowRequirements(flow);
      // Recomputed from the catalog independently: a catalog entry that changes its scopes changes this.
      const expected = new Set<string>();
      const ops = [
        ...(flow.trigger.type === "webhook" ? [] : [flow.trigger.op]),
        ...flow.steps.map((s) => s.op),
      ];
      for (const op of ops) for (const s of entryScopes(getEntry(op))) expected.add(s);
      for (const s of expected) expect(req.scopes, `${file} needs ${s}`).toContain(s);
      expect(req.parts.map((p) => p.op)).toEqual(ops);
    }
  });

  it("welcome-call-task: contact scopes, the ContactCreate event, a location token", () => {
    const req = flowRequirements(parse(path.join(ROOT, "examples/flows/welcome-call-task.yaml")));
    expect(req.scopes).toEqual(["contacts.readonly", "contacts.write"]);
    expect(req.events).toEqual(["ContactCreate"]);
    expect(req.token).toBe("location");
    expect(req.hookPath).toBeUndefined();
  });

  it("a webhook flow has its hook path; totals gather every flow", () => {
    const all = flowFiles.map((f) => flowRequirements(parse(f)));
    const lead = all.find((r) => r.flowId === "batchleads-lead");
    expect(lead?.hookPath).toBe("/hooks/batchleads-lead");
    const total = totalRequirements(all);
    expect(total.hookPaths).toContain("/hooks/batchleads-lead");
    expect(total.scopes).toEqual([...new Set(all.flatMap((r) => r.scopes))].sort());
  });

  it("names the flow and the scope a token lacks", () => {
    const req = flowRequirements(parse(path.join(ROOT, "examples/flows/welcome-call-task.yaml")));
    expect(missingScopes([req], ["contacts.readonly"])).toEqual([
      {
        flowId: "welcome-call-task",
        scope: "contacts.write",
        message: "flow welcome-call-task needs contacts.write",
      },
    ]);
    expect(missingScopes([req], ["contacts.readonly", "contacts.write"])).toEqual([]);
  });

  it("an agency-only operation makes the flow need an agency token", () => {
    const source = [
      "id: agency-flow",
      "name: Agency",
      "trigger: { webhook: {} }",
      "steps:",
      "  - id: company",
      "    op: highlevel.companies.get",
      "    input: {}",
    ].join("\n");
    const r = parseFlowFile(source, "agency.yaml");
    if (!r.flow) return expect.fail(JSON.stringify(r.errors));
    expect(flowRequirements(r.flow).token).toBe("agency");
  });
});

describe("scope probe against the sandbox", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
  });
  afterAll(async () => sandbox.close());

  it("never picks a write that could create a record", () => {
    for (const scope of [
      "contacts.write",
      "opportunities.write",
      "calendars/events.write",
      "contacts.readonly",
    ]) {
      const op = probeFor(scope);
      expect(op, scope).toBeDefined();
      if (op && op.method !== "GET")
        expect(op.parameters.some((p) => p.in === "path" && !/location/i.test(p.name))).toBe(true);
    }
  });

  it("tells the scopes a Private Integration Token holds from those it lacks, changing nothing", async () => {
    const token = sandbox.createToken({ scopes: ["contacts.readonly", "opportunities.readonly"] });
    const client = new HighLevelClient({
      credentials: token,
      baseUrl: sandbox.info.baseUrl,
      locationId: sandbox.info.locationId,
    });
    const before = sandbox.requests().length;
    const result = await probeScopes(client, sandbox.info.locationId, [
      "contacts.readonly",
      "contacts.write",
      "opportunities.readonly",
      "opportunities.write",
    ]);
    expect(result.granted).toEqual(["contacts.readonly", "opportunities.readonly"]);
    expect(result.missing).toEqual(["contacts.write", "opportunities.write"]);
    const sent = sandbox.requests().slice(before);
    expect(sent.length).toBe(result.requests);
    // Nothing was written: every write probe aimed at a record that does not exist.
    for (const r of sent) expect(r.status === 200 && r.method !== "GET").toBe(false);
  });
});
