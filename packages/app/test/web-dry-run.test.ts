// Dry runs through the API the web app uses: POST /api/flows/:id/run-once {dryRun} runs with a sampled
// trigger and sends no write; POST /api/flows/:id/enable {dryRun} puts the flow in dry-run mode.
import { readFileSync } from "node:fs";
import path from "node:path";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WebFixture, webFixture } from "./web-helpers.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");

describe("dry runs through the API", () => {
  let sandbox: Sandbox;
  let web: WebFixture;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    web = await webFixture({ baseUrl: sandbox.info.baseUrl });
    await web.engine.addConnection(
      { label: "sandbox", kind: "pit", locationIds: [sandbox.info.locationId] },
      { privateToken: sandbox.info.locationToken },
    );
    const file = path.join(ROOT, "examples/flows/welcome-call-task.yaml");
    expect((await web.engine.saveFlow(readFileSync(file, "utf8"), file)).errors).toEqual([]);
    await web.engine.start();
  });
  afterAll(async () => {
    await web.close();
    await sandbox.close();
  });

  const settled = async (runId: string) => {
    for (let i = 0; i < 600; i++) {
      const { json } = await web.call("GET", `/api/runs/${runId}`);
      if (json?.run && !["queued", "running"].includes(json.run.status)) return json;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`run ${runId} did not finish`);
  };

  it("runs once with a sampled trigger, lists the planned write and sends none", async () => {
    const before = sandbox.requests().at(-1)?.id ?? 0;
    const started = await web.call("POST", "/api/flows/welcome-call-task/run-once", { dryRun: true });
    expect(started.status).toBe(202);
    expect(started.json.run.dryRun).toBe(true);
    const done = await settled(started.json.run.id);
    expect(done.run.status).toBe("succeeded");
    const step = done.steps.find((s: { stepId: string }) => s.stepId === "task");
    expect(step.output.dryRun).toBe(true);
    expect(step.output.writes[0]).toMatchObject({ operation: "create-task", method: "POST" });
    const writes = sandbox
      .requests({ after: before })
      .filter((r) => r.method !== "GET" && !/search/.test(r.path));
    expect(writes).toEqual([]);
  });

  it("enables a flow in dry-run mode and back to writing; a bad dryRun value is a 400", async () => {
    const dry = await web.call("POST", "/api/flows/welcome-call-task/enable", { dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.json.flow).toMatchObject({ enabled: true, dryRun: true });
    const real = await web.call("POST", "/api/flows/welcome-call-task/enable");
    expect(real.json.flow.dryRun).toBeUndefined();
    const bad = await web.call("POST", "/api/flows/welcome-call-task/enable", { dryRun: "yes" });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("dryRun");
  });
});
