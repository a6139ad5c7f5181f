// An import stopped half way, then run again: every lead written once, no note or task twice, the
// counts adding up. Stops are simulated by an abort after N leads and by a "crash" right after a
// create went out but before its answer was recorded (the worst moment).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Lead } from "../src/lead.ts";
import { isRejected } from "../src/normalize/row.ts";
import { clientImportApi, type ImportApi } from "../src/sync/api.ts";
import { isCompliance, noteText } from "../src/sync/plan.ts";
import { ImportIncompleteError, runImport } from "../src/sync/run-import.ts";
import { readLeads } from "../src/sync/source.ts";
import { SyncState } from "../src/sync/state.ts";
import { stateScope } from "../src/sync/state-location.ts";
import { notesOf, SAMPLE, startWorld, type TestWorld, tasksOf } from "./sync-helpers.ts";

const FRIDAY = new Date(2026, 2, 13, 15, 30);

async function sampleLeads(): Promise<Lead[]> {
  const out: Lead[] = [];
  for await (const item of readLeads(SAMPLE, {})) if (!isRejected(item)) out.push(item);
  return out;
}

/** The client's operations, with a "crash" (an error that is not HighLevel's) after the n-th call of `op`. */
function crashingApi(
  real: ImportApi,
  op: "createNote" | "createTask" | "upsertContact",
  n: number,
): ImportApi {
  let calls = 0;
  const wrapped = { ...real, calls: real.calls } as ImportApi;
  const original = real[op].bind(real) as (...args: unknown[]) => Promise<unknown>;
  (wrapped as unknown as Record<string, unknown>)[op] = async (...args: unknown[]) => {
    const result = await original(...args); // the write happened...
    if (++calls === n) throw new Error(`simulated crash after ${op} #${n}`); // ...its answer is lost
    return result;
  };
  return wrapped;
}

describe("resuming a stopped import", () => {
  let world: TestWorld;
  let stateFile: string;
  let leads: Lead[];
  const run = (extra: Partial<Parameters<typeof runImport>[0]> = {}) =>
    runImport({
      file: SAMPLE,
      locationId: world.locationId,
      client: world.client(),
      baseUrl: world.baseUrl,
      stateFile,
      now: () => FRIDAY,
      ...extra,
    });

  beforeEach(async () => {
    world = await startWorld(21);
    stateFile = path.join(mkdtempSync(path.join(tmpdir(), "bl-resume-")), "state.db");
    leads ??= await sampleLeads();
  });
  afterEach(async () => {
    await world.close();
  });

  /** Every lead has exactly one contact, its note once and its hot task once. */
  async function expectEachLeadOnce() {
    const state = SyncState.open({ file: stateFile });
    const ids = leads.map(
      (l) => state.getWritten(stateScope(world.baseUrl, world.locationId), l.key)?.contactId,
    );
    state.close();
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(leads.length);
    const upserts = world.sandbox.requests().filter((r) => r.operationId === "upsert-contact");
    const created = world.sandbox.requests().filter((r) => r.operationId === "create-note");
    for (const [i, lead] of leads.entries()) {
      const notes = await notesOf(world, ids[i]!);
      expect(notes.length, lead.key).toBe(noteText(lead) ? 1 : 0);
      const tasks = await tasksOf(world, ids[i]!);
      expect(tasks.length, lead.key).toBe(lead.status === "Hot" && !isCompliance(lead) ? 1 : 0);
    }
    return { upserts: upserts.length, noteCreates: created.length };
  }

  it("stopped after 120 leads (abort), run again: finishes with nothing lost or doubled", async () => {
    const abort = new AbortController();
    const first = await run({
      signal: abort.signal,
      onProgress: (p) => {
        if (p.phase === "syncing" && p.done >= 120) abort.abort();
      },
    });
    expect(first.complete).toBe(false);
    const doneFirst = first.contacts.created;
    expect(doneFirst).toBeGreaterThanOrEqual(120);
    expect(doneFirst).toBeLessThan(leads.length);

    const second = await run();
    expect(second.complete).toBe(true);
    expect(second.resumed).toBe(true);
    // The counts cover the whole import, across both runs.
    expect(second.contacts).toEqual({ created: leads.length, updated: 0, unchanged: 0, joined: 0 });
    expect(second.notesCreated).toBe(leads.filter((l) => noteText(l)).length);
    expect(second.tasksCreated).toBe(leads.filter((l) => l.status === "Hot" && !isCompliance(l)).length);
    const { upserts } = await expectEachLeadOnce();
    expect(upserts).toBe(leads.length); // every lead once
    // Tags queued before the stop were sent after it: every contact has its tags.
    const state = SyncState.open({ file: stateFile });
    const contactId = state.getWritten(stateScope(world.baseUrl, world.locationId), leads[0]!.key)!
      .contactId!;
    state.close();
    const any = (await world.client().callByKey("get-contact", { contactId })) as {
      contact: { tags: string[] };
    };
    expect(any.contact.tags).toContain("batchleads");
  });

  it("killed right after a note went out: the pending note is found, not created again", async () => {
    const client = world.client();
    const api = crashingApi(clientImportApi(client, world.locationId), "createNote", 10);
    await expect(run({ api })).rejects.toBeInstanceOf(ImportIncompleteError);
    const notesBefore = world.sandbox.requests().filter((r) => r.operationId === "create-note").length;
    expect(notesBefore).toBeGreaterThanOrEqual(10);

    const second = await run();
    expect(second.complete).toBe(true);
    expect(second.notesCreated).toBe(leads.filter((l) => noteText(l)).length);
    // The lead whose note was in doubt: its notes were listed once, and no note was created twice.
    expect(world.sandbox.requests().filter((r) => r.operationId === "get-all-notes")).toHaveLength(1);
    const { noteCreates } = await expectEachLeadOnce();
    expect(noteCreates).toBe(leads.filter((l) => noteText(l)).length);
  });

  it("killed right after a task went out: the pending task is found, not created again", async () => {
    const api = crashingApi(clientImportApi(world.client(), world.locationId), "createTask", 5);
    await expect(run({ api })).rejects.toBeInstanceOf(ImportIncompleteError);
    const second = await run();
    expect(second.tasksCreated).toBe(leads.filter((l) => l.status === "Hot" && !isCompliance(l)).length);
    expect(world.sandbox.requests().filter((r) => r.operationId === "get-all-tasks")).toHaveLength(1);
    expect(world.sandbox.requests().filter((r) => r.operationId === "create-task")).toHaveLength(
      second.tasksCreated,
    );
    await expectEachLeadOnce();
  });

  it("killed right after an upsert: repeated safely, still counted as created", async () => {
    const api = crashingApi(clientImportApi(world.client(), world.locationId), "upsertContact", 50);
    const stopped = await run({ api }).catch((e: unknown) => e);
    expect(stopped).toBeInstanceOf(ImportIncompleteError);
    expect((stopped as ImportIncompleteError).message).toContain("simulated crash");
    expect((stopped as ImportIncompleteError).summary.complete).toBe(false);
    const second = await run();
    expect(second.contacts).toEqual({ created: leads.length, updated: 0, unchanged: 0, joined: 0 });
    const { upserts } = await expectEachLeadOnce();
    // The lead in doubt was upserted again (the same contact): one extra call, no extra contact.
    expect(upserts).toBe(leads.length + 1);
  });
});
