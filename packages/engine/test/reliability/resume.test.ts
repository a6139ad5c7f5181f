// A run interrupted mid-step (the ledger says "running") resumes with the input recorded before the
// call, byte for byte, and a reconcile lookup that fails is retried, then the run needs attention:
// the create is never sent again on a guess.
import { afterEach, describe, expect, it } from "vitest";
import { executeRun } from "../../src/runner/run-executor.ts";
import { type EngineHarness, startEngineHarness } from "../e2e/harness.ts";

const FLOW = `id: welcome
name: Welcome call
trigger:
  webhook: {}
steps:
  - id: task
    op: highlevel.contacts.tasks.create
    input:
      contactId: "{{ trigger.contactId }}"
      title: Welcome call
      dueDate: "{{ now | add('1 day') }}"
  - id: note
    op: highlevel.contacts.notes.create
    input:
      contactId: "{{ trigger.contactId }}"
      body: "Welcomed at {{ now }}"
`;

async function api(h: EngineHarness, method: string, path: string, body?: unknown) {
  const i = h.sandbox.info;
  const r = await fetch(`${i.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${i.locationToken}`,
      version: "2021-07-28",
      "content-type": "application/json",
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await r.json()) as Record<string, unknown>;
}

/** Call `after` once each HighLevel call of a run settles, before the runner sees its result. */
function armOnCreate(h: EngineHarness, after: () => void): void {
  const env = h.engine.env;
  const contextFor = env.contextFor.bind(env);
  env.contextFor = async (flow, run) => {
    const ctxFor = await contextFor(flow, run);
    return async (step) => {
      const ctx = await ctxFor(step);
      const client = new Proxy(ctx.client, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (prop !== "callByKey" || typeof value !== "function") return value;
          return async (...args: unknown[]) => {
            try {
              return await value.apply(target, args);
            } finally {
              after();
            }
          };
        },
      });
      return Object.assign(Object.create(Object.getPrototypeOf(ctx)), ctx, { client });
    };
  };
}

describe("resuming an interrupted step", () => {
  let h: EngineHarness | undefined;
  let clock = Date.parse("2031-03-03T10:00:00Z");
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function interrupted(stepId: "task" | "note") {
    clock = Date.parse("2031-03-03T10:00:00Z");
    h = await startEngineHarness({ now: () => clock });
    h.engine.env.sleep = async () => {}; // backoff waits are not what is tested
    expect((await h.engine.saveFlow(FLOW, "welcome.yaml")).errors).toEqual([]);
    const contact = (await api(h, "POST", "/contacts/", {
      locationId: h.sandbox.info.locationId,
      firstName: "Resume",
    })) as { contact: { id: string } };
    const contactId = contact.contact.id;
    const { run } = await h.engine.store.createRun({ flowId: "welcome", trigger: { contactId } });
    await h.engine.store.startRun(run.id);
    // What the first process did before it was killed: recorded the step's input, sent the create.
    if (stepId === "task") {
      const input = {
        contactId,
        title: "Welcome call",
        dueDate: "2031-03-04T10:00:00.000Z",
        completed: false,
      };
      await h.engine.store.startStep(run.id, "task", input);
      await api(h, "POST", `/contacts/${contactId}/tasks`, input);
    } else {
      const task = (await api(h, "POST", `/contacts/${contactId}/tasks`, {
        title: "Welcome call",
        dueDate: "2031-03-04T10:00:00.000Z",
        completed: false,
      })) as { task: unknown };
      await h.engine.store.startStep(run.id, "task", {});
      await h.engine.store.finishStep(run.id, "task", { status: "succeeded", output: task });
      const input = { contactId, body: "Welcomed at 2031-03-03T10:00:00.000Z" };
      await h.engine.store.startStep(run.id, "note", input);
      await api(h, "POST", `/contacts/${contactId}/notes`, input);
    }
    clock += 3_600_000; // the restart comes an hour later: `now` renders differently
    return { run, contactId };
  }

  it("a task interrupted mid-call is found by its recorded input, not re-created", async () => {
    const { run, contactId } = await interrupted("task");
    const outcome = await executeRun(h!.engine.env, run.id);
    expect(outcome.status).toBe("succeeded");
    const tasks = (await api(h!, "GET", `/contacts/${contactId}/tasks`)) as { tasks: unknown[] };
    expect(tasks.tasks).toHaveLength(1);
    const step = await h!.engine.store.getStep(run.id, "task");
    expect(step?.input).toEqual({
      contactId,
      title: "Welcome call",
      dueDate: "2031-03-04T10:00:00.000Z",
      completed: false,
    });
  });

  it("a failing reconcile lookup is retried, then the run needs attention; the note is not sent again", async () => {
    const { run, contactId } = await interrupted("note");
    h!.sandbox.setFaults({ rate: 1, kinds: ["500"], seed: 3, match: { operationId: "get-all-notes" } });
    const before = h!.sandbox.requests().filter((r) => r.operationId === "get-all-notes").length;
    const outcome = await executeRun(h!.engine.env, run.id);
    h!.sandbox.setFaults(null);
    expect(outcome.status).toBe("needs_attention");
    const lookups = h!.sandbox.requests().filter((r) => r.operationId === "get-all-notes").length - before;
    expect(lookups).toBeGreaterThan(1);
    const notes = (await api(h!, "GET", `/contacts/${contactId}/notes`)) as { notes: unknown[] };
    expect(notes.notes).toHaveLength(1);
    const done = await h!.engine.store.getRun(run.id);
    expect(done?.status).toBe("needs_attention");
    expect(done?.error?.message).toMatch(/could not tell whether .*note.* happened/i);
  });

  it("a create with an unknown outcome whose lookup fails is not sent again", async () => {
    clock = Date.parse("2031-03-03T10:00:00Z");
    h = await startEngineHarness({ now: () => clock });
    h.engine.env.sleep = async () => {};
    expect((await h.engine.saveFlow(FLOW, "welcome.yaml")).errors).toEqual([]);
    const contact = (await api(h, "POST", "/contacts/", {
      locationId: h.sandbox.info.locationId,
      firstName: "Timeout",
    })) as { contact: { id: string } };
    const contactId = contact.contact.id;
    // The note's connection is reset after it was written; every lookup of the notes answers 500.
    // The lookup's fault is armed from inside the client call that sent the create, before the
    // runner can start its reconcile, so the order does not depend on timing.
    h.sandbox.setFaults({ rate: 1, kinds: ["reset"], seed: 5, match: { operationId: "create-note" } });
    const sandbox = h.sandbox;
    let createSeen = false;
    armOnCreate(h, () => {
      if (createSeen || !sandbox.requests().some((r) => r.operationId === "create-note")) return;
      createSeen = true;
      sandbox.setFaults({ rate: 1, kinds: ["500"], seed: 5, match: { operationId: "get-all-notes" } });
    });
    const { run } = await h.engine.store.createRun({ flowId: "welcome", trigger: { contactId } });
    const outcome = executeRun(h.engine.env, run.id);
    const finished = await outcome;
    if (!createSeen) throw new Error("the run never sent create-note, so the reconcile was not tested");
    expect(finished.status).toBe("needs_attention");
    h.sandbox.setFaults(null);
    const notes = (await api(h, "GET", `/contacts/${contactId}/notes`)) as { notes: unknown[] };
    expect(notes.notes).toHaveLength(1);
  });
});

describe("a run whose worker lost its lease", () => {
  it("stops before its next step and records nothing more", async () => {
    const h = await startEngineHarness();
    try {
      expect((await h.engine.saveFlow(FLOW, "welcome.yaml")).errors).toEqual([]);
      const { run } = await h.engine.store.createRun({ flowId: "welcome", trigger: { contactId: "c1" } });
      const lease = new AbortController();
      lease.abort(new Error("lost"));
      await expect(executeRun(h.engine.env, run.id, 1, lease.signal)).rejects.toThrow(/lost its lease/);
      expect(await h.engine.store.listSteps(run.id)).toEqual([]);
      expect(h.sandbox.requests().filter((r) => r.operationId === "create-task")).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

describe("a run delivered too many times", () => {
  it("is given up as needing attention (a step may have happened), not failed", async () => {
    const h = await startEngineHarness();
    try {
      expect((await h.engine.saveFlow(FLOW, "welcome.yaml")).errors).toEqual([]);
      const { run } = await h.engine.store.createRun({ flowId: "welcome", trigger: { contactId: "c1" } });
      expect((await executeRun(h.engine.env, run.id, 11)).status).toBe("needs_attention");
      const done = await h.engine.store.getRun(run.id);
      expect(done?.error?.message).toMatch(/delivered 10 times without finishing.*replay or dismiss/);
    } finally {
      await h.close();
    }
  });
});
