import { HighLevelClient } from "@hlconnect/client";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEntry } from "../src/registry.ts";
import { createContext, pollEntry, runEntry } from "../src/runtime.ts";
import type { ActionEntry, CatalogContext, PollCursor } from "../src/types.ts";

// A sandbox whose clock the test moves, so that "created" and "moved" are seconds apart as they
// are in life (the stage-change trigger tells a creation from a move by their times).
let clock = Date.now();
let sandbox: Sandbox;
let ctx: CatalogContext;
let client: HighLevelClient;
let pipeline: { id: string; stages: Array<{ id: string; name: string }> };
let contactIds: string[];

const tick = (ms = 5_000) => {
  clock += ms;
};

beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    seed: 1,
    now: () => clock,
    rateLimit: { max: 100_000, windowMs: 1000 },
  });
  client = new HighLevelClient({
    credentials: sandbox.info.locationToken,
    baseUrl: sandbox.info.baseUrl,
    locationId: sandbox.info.locationId,
    companyId: sandbox.info.companyId,
  });
  ctx = createContext({ client });
  const p = (await client.call("get-pipelines", { locationId: ctx.locationId })) as unknown as {
    pipelines: Array<{ id: string; stages: Array<{ id: string; name: string }> }>;
  };
  pipeline = p.pipelines[0]!;
  const c = (await client.call("search-contacts-advanced", undefined, {
    locationId: ctx.locationId,
    pageLimit: 10,
  } as never)) as { contacts: Array<{ id: string }> };
  contactIds = c.contacts.map((x) => x.id);
});
afterAll(async () => {
  await sandbox?.close();
});

async function createOpportunity(name: string, contactId: string, stageIndex = 0): Promise<string> {
  tick();
  const r = (await client.call("create-opportunity", undefined, {
    locationId: ctx.locationId,
    pipelineId: pipeline.id,
    pipelineStageId: pipeline.stages[stageIndex]!.id,
    contactId,
    name,
    status: "open",
  } as never)) as { opportunity: { id: string } };
  return r.opportunity.id;
}

async function moveTo(id: string, stageIndex: number): Promise<void> {
  tick();
  await client.call("update-opportunity", { id }, {
    pipelineStageId: pipeline.stages[stageIndex]!.id,
  } as never);
}

/** Poll once and count the requests the sandbox saw. */
async function poll(key: string, input: Record<string, unknown>, cursor: PollCursor | undefined) {
  const before = sandbox.requests().length;
  const r = await pollEntry(getEntry(key), ctx, input, cursor);
  return { ...r, seen: sandbox.requests().length - before };
}

const ids = (items: unknown[]) => items.map((i) => (i as { id: string }).id);

describe("New Opportunity", () => {
  it("emits nothing first, then each new opportunity exactly once; an idle poll is one request", async () => {
    const key = "highlevel.opportunities.new";
    const input = { pipelineId: pipeline.id };
    const first = await poll(key, input, undefined);
    expect(first.items).toEqual([]);

    const a = await createOpportunity("New A", contactIds[2]!);
    const b = await createOpportunity("New B", contactIds[3]!);
    const second = await poll(key, input, first.cursor);
    expect(ids(second.items)).toEqual([a, b]); // oldest first

    const idle = await poll(key, input, second.cursor);
    expect(idle.items).toEqual([]);
    expect(idle.requests).toBe(1);
    expect(idle.seen).toBe(1);
    expect(JSON.stringify(idle.cursor).length).toBeLessThan(300);
  });

  it("only reports opportunities of the chosen stage", async () => {
    const key = "highlevel.opportunities.new";
    const input = { pipelineId: pipeline.id, pipelineStageId: pipeline.stages[2]!.id };
    const first = await poll(key, input, undefined);
    await createOpportunity("Elsewhere", contactIds[4]!, 0);
    const wanted = await createOpportunity("In stage 3", contactIds[4]!, 2);
    const second = await poll(key, input, first.cursor);
    expect(ids(second.items)).toEqual([wanted]);
  });
});

describe("Opportunity Stage Changed", () => {
  const key = "highlevel.opportunities.stage-changed";

  it("fires once per move (not for a creation or another change), with the stage's name", async () => {
    const input = { pipelineId: pipeline.id };
    const first = await poll(key, input, undefined);
    expect(first.items).toEqual([]);

    const id = await createOpportunity("Mover", contactIds[0]!, 0);
    const afterCreate = await poll(key, input, first.cursor);
    expect(afterCreate.items).toEqual([]); // created into a stage: not a move

    await moveTo(id, 1);
    const moved = await poll(key, input, afterCreate.cursor);
    expect(ids(moved.items)).toEqual([id]);
    expect(moved.items[0]).toMatchObject({
      pipelineStageId: pipeline.stages[1]!.id,
      stageName: pipeline.stages[1]!.name,
      pipelineName: "Sales Pipeline",
    });

    // Nothing new: nothing again, for one request.
    const idle = await poll(key, input, moved.cursor);
    expect(idle.items).toEqual([]);
    expect(idle.requests).toBe(1);
    expect(idle.seen).toBe(1);

    // A change that is not a move does not fire.
    tick();
    await client.call("update-opportunity", { id }, { monetaryValue: 123_456 } as never);
    const valueChange = await poll(key, input, idle.cursor);
    expect(valueChange.items).toEqual([]);

    // Moving back is a move too.
    await moveTo(id, 0);
    const back = await poll(key, input, valueChange.cursor);
    expect(ids(back.items)).toEqual([id]);
    expect(back.items[0]).toMatchObject({ stageName: pipeline.stages[0]!.name });
    expect((await poll(key, input, back.cursor)).items).toEqual([]);
  });

  it("with a to-stage, fires only for moves into that stage", async () => {
    const input = { pipelineId: pipeline.id, toStageId: pipeline.stages[3]!.id };
    const first = await poll(key, input, undefined);
    const id = await createOpportunity("Closer", contactIds[1]!, 0);
    await moveTo(id, 2);
    const notYet = await poll(key, input, first.cursor);
    expect(notYet.items).toEqual([]);
    await moveTo(id, 3);
    const closed = await poll(key, input, notYet.cursor);
    expect(ids(closed.items)).toEqual([id]);
    expect((await poll(key, input, closed.cursor)).items).toEqual([]);
  });

  it("reports two moves of different opportunities in one poll, oldest first", async () => {
    const input = { pipelineId: pipeline.id };
    const first = await poll(key, input, undefined);
    const x = await createOpportunity("X", contactIds[2]!, 0);
    const y = await createOpportunity("Y", contactIds[3]!, 0);
    await moveTo(y, 2);
    await moveTo(x, 1);
    const r = await poll(key, input, first.cursor);
    expect(ids(r.items)).toEqual([y, x]);
  });
});

describe("Opportunity Updated", () => {
  it("fires once per change", async () => {
    const key = "highlevel.opportunities.updated";
    const input = { pipelineId: pipeline.id };
    const id = await createOpportunity("Changing", contactIds[4]!, 0);
    const first = await poll(key, input, undefined);
    expect(first.items).toEqual([]);
    tick();
    await client.call("update-opportunity", { id }, { monetaryValue: 99_000 } as never);
    const changed = await poll(key, input, first.cursor);
    expect(ids(changed.items)).toEqual([id]);
    expect(changed.items[0]).toMatchObject({ monetaryValue: 99_000 });
    const idle = await poll(key, input, changed.cursor);
    expect(idle.items).toEqual([]);
    expect(idle.seen).toBe(1);
  });
});

describe("Upsert Opportunity", () => {
  it("is safe to repeat: the same input twice leaves one opportunity, unchanged by the second run", async () => {
    const entry = getEntry("highlevel.opportunities.upsert") as ActionEntry;
    expect(entry.idempotency).toBe("safe");
    const contactId = contactIds[4]!;
    const input = {
      pipelineId: pipeline.id,
      contactId,
      pipelineStageId: pipeline.stages[1]!.id,
      name: "Upsert twice",
      monetaryValue: "$1.2M",
    };
    tick();
    const one = (await runEntry(entry, ctx, input)) as { new: boolean; opportunity: Record<string, unknown> };
    tick();
    const two = (await runEntry(entry, ctx, input)) as { new: boolean; opportunity: Record<string, unknown> };
    // The contact may already have had an opportunity in this pipeline (the first run updates it then).
    expect(two.new).toBe(false);
    expect(two.opportunity.id).toBe(one.opportunity.id);
    for (const k of ["name", "monetaryValue", "pipelineStageId", "status"]) {
      expect(two.opportunity[k]).toEqual(one.opportunity[k]);
    }
    expect(two.opportunity.monetaryValue).toBe(1_200_000);
    expect(two.opportunity.lastStageChangeAt).toBe(one.opportunity.lastStageChangeAt);

    const found = (await client.call("search-opportunity", {
      location_id: ctx.locationId,
      pipeline_id: pipeline.id,
      contact_id: contactId,
      limit: 100,
    } as never)) as { opportunities: Array<{ id: string; name: string }> };
    expect(found.opportunities.filter((o) => o.name === "Upsert twice")).toHaveLength(1);
  });

  it("creates when the contact has no opportunity in the pipeline, then updates it", async () => {
    const entry = getEntry("highlevel.opportunities.upsert");
    const c = (await client.call("create-contact", undefined, {
      locationId: ctx.locationId,
      firstName: "Fresh",
      lastName: "Upsert",
      email: "fresh.upsert@example.com",
    } as never)) as { contact: { id: string } };
    const input = { pipelineId: pipeline.id, contactId: c.contact.id, name: "Fresh deal" };
    const one = (await runEntry(entry, ctx, input)) as { new: boolean; opportunity: { id: string } };
    const two = (await runEntry(entry, ctx, input)) as { new: boolean; opportunity: { id: string } };
    expect([one.new, two.new]).toEqual([true, false]);
    expect(two.opportunity.id).toBe(one.opportunity.id);
  });
});

describe("Create Opportunity", () => {
  it("converts a typed amount and reconciles a create whose answer was lost", async () => {
    const entry = getEntry("highlevel.opportunities.create") as ActionEntry;
    expect(entry.idempotency).toBe("reconcilable");
    const input = {
      pipelineId: pipeline.id,
      contactId: contactIds[1]!,
      name: "42 Oak Avenue - Seller",
      monetaryValue: "850k",
    };
    const parsed = (entry.input.parse(input) as Record<string, unknown>) ?? {};
    expect(await entry.reconcile!(ctx, parsed)).toBeUndefined();
    const made = (await runEntry(entry, ctx, input)) as {
      opportunity: { id: string; monetaryValue: number };
    };
    expect(made.opportunity.monetaryValue).toBe(850_000);
    const again = (await entry.reconcile!(ctx, parsed)) as { opportunity: { id: string } };
    expect(again.opportunity.id).toBe(made.opportunity.id);
  });
});

describe("pipelines option source", () => {
  it("narrows to one pipeline so its stages are the options", async () => {
    const out = (await runEntry(getEntry("highlevel.opportunities.pipelines"), ctx, {
      pipelineId: pipeline.id,
    })) as { pipelines: Array<{ id: string; stages: unknown[] }> };
    expect(out.pipelines.map((p) => p.id)).toEqual([pipeline.id]);
    expect(out.pipelines[0]!.stages).toHaveLength(pipeline.stages.length);
    await expect(
      runEntry(getEntry("highlevel.opportunities.pipelines"), ctx, { pipelineId: "nope" }),
    ).rejects.toThrow(/not in this location/);
  });
});
