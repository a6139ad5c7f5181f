// The planner/executor and its state with leads built by hand and an in-memory HighLevel: which
// calls a lead costs, grouping of tags, staging merges, stops and resumes, failures, dry runs.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DailyLimitError, HighLevelError, ReconnectNeededError } from "@hlconnect/client";
import { describe, expect, it } from "vitest";
import type { Lead, RejectedRow } from "../src/lead.ts";
import { mergeLeads } from "../src/normalize/merge.ts";
import type { ImportApi } from "../src/sync/api.ts";
import { KeyedSequencer, runPool } from "../src/sync/pool.ts";
import { ImportIncompleteError, type ImportOptions, runImport } from "../src/sync/run-import.ts";
import { SyncState } from "../src/sync/state.ts";
import { BULK_TAG_LIMIT } from "../src/sync/tags.ts";
import { makeLead } from "./sync-helpers.ts";

interface FakeContact {
  id: string;
  body: Record<string, unknown>;
  tags: Set<string>;
}

/** HighLevel in memory: upsert matches by email then phone, like the real one. */
class FakeHighLevel implements ImportApi {
  readonly calls = { total: 0, byOperation: {} as Record<string, number> };
  readonly contacts = new Map<string, FakeContact>();
  readonly notes: Array<{ contactId: string; body: string }> = [];
  readonly tasks: Array<{ contactId: string; title: string; body: string }> = [];
  readonly tagCalls: Array<{ contacts: string[]; tags: string[] }> = [];
  readonly fields = [{ id: "f-mail", name: "Mailing Address", dataType: "TEXT" }];
  private inFlight = new Set<string>();
  maxSameIdentityInFlight = 0;
  failWith: ((op: string, body?: Record<string, unknown>) => Error | undefined) | undefined;
  private next = 1;

  private count(op: string, body?: Record<string, unknown>) {
    this.calls.total++;
    this.calls.byOperation[op] = (this.calls.byOperation[op] ?? 0) + 1;
    const err = this.failWith?.(op, body);
    if (err) throw err;
  }

  async upsertContact(body: Record<string, unknown>) {
    this.count("upsert-contact", body);
    const identity = String(body.email ?? body.phone ?? "");
    if (identity && this.inFlight.has(identity)) this.maxSameIdentityInFlight = 2;
    this.inFlight.add(identity);
    await new Promise((r) => setTimeout(r, 1));
    this.inFlight.delete(identity);
    const found = [...this.contacts.values()].find(
      (c) => (body.email && c.body.email === body.email) || (body.phone && c.body.phone === body.phone),
    );
    if (found) {
      found.body = { ...found.body, ...body };
      return { id: found.id, isNew: false };
    }
    const id = `c${this.next++}`;
    this.contacts.set(id, { id, body, tags: new Set() });
    return { id, isNew: true };
  }
  async updateContact(contactId: string, body: Record<string, unknown>) {
    this.count("update-contact", body);
    const c = this.contacts.get(contactId);
    if (!c)
      throw new HighLevelError("update-contact failed with 400: Contact not found", {
        code: "HTTP_ERROR",
        status: 400,
        messages: ["Contact not found"],
      });
    c.body = { ...c.body, ...body };
    return { id: contactId, isNew: false };
  }
  async addTags(contactIds: string[], tags: string[]) {
    this.count("contacts:create-association");
    expect(contactIds.length).toBeLessThanOrEqual(BULK_TAG_LIMIT);
    this.tagCalls.push({ contacts: contactIds, tags });
    const failed: Array<{ contactId: string; message: string }> = [];
    for (const id of contactIds) {
      const c = this.contacts.get(id);
      if (!c) failed.push({ contactId: id, message: "contact not found" });
      else for (const t of tags) c.tags.add(t);
    }
    return { failed };
  }
  async createNote(contactId: string, body: string) {
    this.count("create-note");
    this.notes.push({ contactId, body });
    return `n${this.notes.length}`;
  }
  async listNotes(contactId: string) {
    this.count("get-all-notes");
    return this.notes.filter((n) => n.contactId === contactId).map((n, i) => ({ id: `n${i}`, body: n.body }));
  }
  async createTask(contactId: string, task: { title: string; body: string; dueDate: string }) {
    this.count("create-task");
    this.tasks.push({ contactId, title: task.title, body: task.body });
    return `t${this.tasks.length}`;
  }
  async listTasks(contactId: string) {
    this.count("get-all-tasks");
    return this.tasks.filter((t) => t.contactId === contactId).map((t, i) => ({ id: `t${i}`, ...t }));
  }
  async listCustomFields() {
    this.count("get-custom-fields");
    return [...this.fields];
  }
  async createCustomField(name: string, dataType: string) {
    this.count("locations:create-custom-field");
    const f = { id: `f-${this.fields.length}`, name, dataType };
    this.fields.push(f);
    return f;
  }
  async updateCustomFieldOptions(field: { id: string; name: string; dataType: string }, options: string[]) {
    this.count("locations:update-custom-field");
    return { ...field, picklistOptions: options };
  }
  async updateNote(contactId: string, noteId: string, body: string) {
    this.count("update-note");
    const n = this.notes.find((x, i) => x.contactId === contactId && `n${i + 1}` === noteId);
    if (n) n.body = body;
  }
  /** Only what the import searches for: ids, or a custom field's value. */
  async searchContacts(filters: unknown[], pageLimit: number) {
    this.count("search-contacts-advanced");
    const [f] = filters as Array<{ field: string; value: unknown }>;
    const fieldId = f!.field.replace("customFields.", "");
    return [...this.contacts.values()]
      .filter((c) =>
        f!.field === "id"
          ? (f!.value as string[]).includes(c.id)
          : ((c.body.customFields ?? []) as Array<{ id: string; field_value: unknown }>).some(
              (v) => v.id === fieldId && v.field_value === f!.value,
            ),
      )
      .slice(0, pageLimit)
      .map((c) => ({ id: c.id, fields: c.body, customFields: {} }));
  }
}

const dir = mkdtempSync(path.join(tmpdir(), "bl-exec-"));
let fileNo = 0;

/** An import of `items` (a fresh "file" each time unless `file` is given). */
function importLeads(
  api: ImportApi | undefined,
  stateFile: string,
  items: Array<Lead | RejectedRow>,
  extra: Partial<ImportOptions> = {},
) {
  const file = extra.file ?? path.join(dir, `export-${++fileNo}.csv`);
  if (!extra.file) writeFileSync(file, `export ${fileNo}\n`);
  return runImport({
    file,
    locationId: "loc1",
    ...(api ? { api } : { dryRun: true }),
    stateFile,
    now: () => new Date(2026, 2, 13, 15, 30),
    source: async function* () {
      yield* items;
    },
    ...extra,
  });
}

const stateFileFor = (name: string) => path.join(dir, `${name}.db`);

function lead(i: number, over: Partial<Lead> = {}): Lead {
  return makeLead({
    key: `addr:${i} main st|77002`,
    rows: [i],
    owner: { firstName: `Owner${i}`, lastName: "Test", displayName: `Owner${i} Test` },
    emails: [`owner${i}@example.com`],
    primaryPhone: `+1713555${String(1000 + i).slice(-4)}`,
    phones: [],
    notes: undefined,
    status: "New",
    ...over,
  });
}

describe("calls per lead", () => {
  it("first import: one upsert per lead, nothing else without notes/hot; the same leads again: one read, no write", async () => {
    const api = new FakeHighLevel();
    const state = stateFileFor("calls");
    const leads = Array.from({ length: 30 }, (_, i) => lead(i));
    const s1 = await importLeads(api, state, leads);
    expect(api.calls.byOperation["upsert-contact"]).toBe(30);
    expect(api.calls.byOperation["get-custom-fields"]).toBe(1);
    expect(s1.contacts.created).toBe(30);
    const before = api.calls.total;
    const s2 = await importLeads(api, state, leads);
    // The only call: one search checking a sample of the remembered contacts still exist.
    expect(api.calls.total).toBe(before + 1);
    expect(api.calls.byOperation["search-contacts-advanced"]).toBe(1);
    expect(s2.contacts.unchanged).toBe(30);
    expect(s2.warnings).toEqual([]);
  });

  it("a lead with neither email nor phone is updated by id, never upserted into a twin", async () => {
    const api = new FakeHighLevel();
    const state = stateFileFor("noid");
    const bare = lead(1, {
      emails: [],
      primaryPhone: undefined,
      owner: { companyName: "Acme LLC", displayName: "Acme LLC" },
    });
    await importLeads(api, state, [bare]);
    await importLeads(api, state, [{ ...bare, status: "Warm" }]);
    expect(api.contacts.size).toBe(1);
    expect(api.calls.byOperation["update-contact"]).toBe(1);
    const c = [...api.contacts.values()][0]!;
    expect(c.body.name).toBe("Acme LLC");
  });

  it("leads sharing an owner's email are written one after the other, to one contact (the others as property notes)", async () => {
    const api = new FakeHighLevel();
    const shared = (i: number) => lead(i, { emails: ["same@example.com"], primaryPhone: undefined });
    const s = await importLeads(api, stateFileFor("shared"), [shared(1), shared(2), shared(3), lead(4)], {
      concurrency: 4,
    });
    expect(api.maxSameIdentityInFlight).toBe(0);
    expect(api.contacts.size).toBe(2);
    expect(s.contacts).toEqual({ created: 2, updated: 0, unchanged: 0, joined: 2 });
    expect(api.calls.byOperation["upsert-contact"]).toBe(2);
    const owner = [...api.contacts.values()].find((c) => c.body.email === "same@example.com")!;
    expect(api.notes.filter((n) => n.contactId === owner.id && n.body.startsWith("Property: "))).toHaveLength(
      2,
    );
    expect(s.joined.map((j) => j.rows)).toEqual([[2], [3]]);
    expect(s.joined.every((j) => j.by === "email" && j.contactId === owner.id)).toBe(true);
  });

  it("a state from before owners were told apart: the second lead on a contact becomes a property note", async () => {
    const api = new FakeHighLevel();
    const state = stateFileFor("legacy");
    const shared = (i: number) =>
      lead(i, {
        emails: ["same@example.com"],
        primaryPhone: undefined,
        property: { address: `${i} Legacy Rd`, city: "Houston", state: "TX", zip: "77002" },
      });
    await importLeads(api, state, [shared(1)]);
    // What the old import left: both leads upserted onto the one contact, as plain leads, no owners known.
    const st = SyncState.open({ file: state });
    const contactId = st.getWritten("loc1", shared(1).key)!.contactId!;
    st.db
      .prepare(
        "INSERT INTO written (location_id, key, contact_id, contact_hash, updated_at) VALUES ('loc1', ?, ?, 'old', 0)",
      )
      .run(shared(2).key, contactId);
    st.db.prepare("UPDATE written SET role = NULL").run();
    st.db.prepare("DELETE FROM owners").run();
    st.close();
    const before = { ...api.calls.byOperation };
    const moved = { ...shared(2), facts: { ...shared(2).facts, bedrooms: 7 } };
    const s = await importLeads(api, state, [shared(1), moved]);
    expect(s.contacts).toMatchObject({ joined: 1, updated: 0 });
    expect(api.calls.byOperation["upsert-contact"]).toBe(before["upsert-contact"]);
    expect(api.calls.byOperation["update-contact"]).toBe(before["update-contact"]);
    expect(api.contacts.get(contactId)!.body.address1).toBe("1 Legacy Rd");
    expect(api.notes.filter((n) => n.body.startsWith("Property: 2 Legacy Rd"))).toHaveLength(1);
  });

  it("notes once per text, tasks once per hot transition, none for litigators and opt-outs", async () => {
    const api = new FakeHighLevel();
    const state = stateFileFor("notes");
    const a = lead(1, { notes: "first", status: "Hot" });
    const b = lead(2, { status: "Hot", compliance: { litigator: true, optOut: false } });
    const c = lead(3, { status: "Hot", compliance: { litigator: false, optOut: true } });
    const s1 = await importLeads(api, state, [a, b, c]);
    expect(s1).toMatchObject({ notesCreated: 1, tasksCreated: 1, complianceSkips: 2 });
    const s2 = await importLeads(api, state, [{ ...a, notes: "second" }, b, c]);
    expect(s2).toMatchObject({ notesCreated: 1, tasksCreated: 0, complianceSkips: 0 });
    await importLeads(api, state, [{ ...a, notes: "second", status: "Warm" }, b, c]);
    const s4 = await importLeads(api, state, [{ ...a, notes: "second", status: "Hot" }, b, c]);
    expect(s4.tasksCreated).toBe(1);
    expect(api.notes.map((n) => n.body)).toEqual(["first", "second"]);
    expect(api.tasks).toHaveLength(2);
    expect(
      api.tasks.every((t) => t.title === "Call Owner1 Test about 6568 Hillcrest Rd, Orlando, FL 32819"),
    ).toBe(true);
    const litigatorId = [...api.contacts.values()].find((x) => x.body.email === "owner2@example.com")!.id;
    expect(api.tasks.some((t) => t.contactId === litigatorId)).toBe(false);
  });
});

describe("tags through the bulk endpoint", () => {
  it("the same set for 250 contacts: 3 calls, each with the whole set", async () => {
    const api = new FakeHighLevel();
    await importLeads(
      api,
      stateFileFor("tags1"),
      Array.from({ length: 250 }, (_, i) => lead(i)),
    );
    expect(api.tagCalls).toHaveLength(3);
    for (const call of api.tagCalls) {
      expect(call.tags).toEqual(["batchleads", "high equity", "high equity phoenix", "pre-foreclosure"]);
    }
  });

  it("mixed sets: each contact gets exactly its tags, in far fewer calls than contacts", async () => {
    const api = new FakeHighLevel();
    const lists = ["Vacant Atlanta", "Tired Landlords", "Pre-Foreclosure Miami", "Absentee", "High Equity"];
    const pool = ["vacant", "absentee", "inherited", "free and clear", "tired landlord"];
    const leads = Array.from({ length: 400 }, (_, i) =>
      lead(i, { list: lists[i % 5]!, tags: pool.filter((_, j) => (i >> j) % 3 === 0) }),
    );
    await importLeads(api, stateFileFor("tags2"), leads);
    for (const [i, l] of leads.entries()) {
      const c = [...api.contacts.values()].find((x) => x.body.email === `owner${i}@example.com`)!;
      const expected = new Set(["batchleads", l.list!.toLowerCase(), ...l.tags]);
      expect([...c.tags].sort()).toEqual([...expected].sort());
    }
    const pairs = leads.reduce((n, l) => n + 2 + l.tags.length, 0);
    expect(api.tagCalls.length).toBeLessThan(pairs / 40);
    expect(api.tagCalls.length).toBeLessThanOrEqual(30);
  });

  it("only new tags are sent; a contact deleted in HighLevel is created again next time", async () => {
    const api = new FakeHighLevel();
    const state = stateFileFor("tags3");
    const l = lead(1);
    await importLeads(api, state, [l]);
    api.tagCalls.length = 0;
    await importLeads(api, state, [{ ...l, tags: [...l.tags, "motivated"] }]);
    expect(api.tagCalls).toEqual([{ contacts: ["c1"], tags: ["motivated"] }]);

    api.contacts.clear(); // deleted in HighLevel
    const s = await importLeads(api, state, [{ ...l, tags: [...l.tags, "motivated", "again"] }]);
    expect(s.warnings.join()).toMatch(/refused tags/);
    const s2 = await importLeads(api, state, [{ ...l, tags: [...l.tags, "motivated", "again"] }]);
    expect(s2.contacts.created).toBe(1);
    expect([...api.contacts.values()][0]!.tags.has("batchleads")).toBe(true);
  });
});

describe("staging and state", () => {
  it("rows of one property merge (the later row winning); rejected rows are kept for the report", async () => {
    const api = new FakeHighLevel();
    const rejectedFile = path.join(dir, "rej.csv");
    const s = await importLeads(
      api,
      stateFileFor("merge"),
      [
        lead(1, { status: "New", notes: "one" }),
        {
          row: 2,
          reason: "no APN and no property address with ZIP",
          values: { "First Name": "X", Notes: 'a "quoted", note' },
        },
        lead(1, { rows: [3], status: "Hot", notes: "one" }),
        lead(4),
      ],
      { rejectedFile },
    );
    expect(s).toMatchObject({ rowsRead: 4, leads: 2, rowsRejected: 1, rejectedFile });
    expect(api.calls.byOperation["upsert-contact"]).toBe(2);
    expect(s.tasksCreated).toBe(1); // the merged lead is Hot
    expect(readFileSync(rejectedFile, "utf8")).toBe(
      'row,reason,First Name,Notes\r\n2,no APN and no property address with ZIP,X,"a ""quoted"", note"\r\n',
    );
  });

  it("a dry run reads the state file and leaves it as it was", async () => {
    const api = new FakeHighLevel();
    const stateFile = stateFileFor("dry");
    await importLeads(api, stateFile, [lead(1), lead(2)]);
    const before = readFileSync(stateFile);
    const s = await importLeads(undefined, stateFile, [lead(1), lead(2, { status: "Hot" }), lead(3)]);
    expect(s).toMatchObject({ dryRun: true, apiCalls: 0, tasksCreated: 1 });
    expect(s.contacts).toEqual({ created: 1, updated: 1, unchanged: 1, joined: 0 });
    expect(readFileSync(stateFile).equals(before)).toBe(true);
    const st = SyncState.open({ file: stateFile });
    expect(st.getWritten("loc1", lead(3).key)).toBeUndefined();
    st.close();
  });

  it("beginImport: an unfinished import resumes, a finished or another one starts afresh", () => {
    const st = SyncState.open();
    const id = { id: "imp1", file: "/x.csv", size: 1, mtimeMs: 1 };
    expect(st.beginImport(id, "loc").status).toBe("staging");
    st.stageBatch("imp1", [lead(1), lead(2)], [], 2, mergeLeads);
    st.setImportStatus("imp1", "syncing");
    const again = st.beginImport(id, "loc");
    expect(again).toMatchObject({ status: "syncing", runs: 2, leads: 2 });
    st.setImportStatus("imp1", "done");
    expect(st.beginImport(id, "loc")).toMatchObject({ status: "staging", runs: 1, leads: 0 });
    st.stageBatch("imp1", [lead(1)], [], 1, mergeLeads);
    st.setImportStatus("imp1", "syncing");
    st.beginImport({ ...id, id: "imp2" }, "loc");
    expect(st.getImport("imp1")).toBeUndefined();
    expect(st.nextStaged("imp1", 0, 10)).toEqual([]);
    st.close();
  });
});

describe("stops and failures", () => {
  it("a daily limit stops the import with a clear error; run again, it finishes", async () => {
    const api = new FakeHighLevel();
    const state = stateFileFor("daily");
    const leads = Array.from({ length: 20 }, (_, i) => lead(i, { notes: `n${i}` }));
    const file = path.join(dir, "daily.csv");
    writeFileSync(file, "daily\n");
    let upserts = 0;
    api.failWith = (op) =>
      op === "upsert-contact" && ++upserts > 8
        ? new DailyLimitError(new Date(Date.UTC(2026, 2, 14)))
        : undefined;
    const err = await importLeads(api, state, leads, { file, concurrency: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportIncompleteError);
    const stop = err as ImportIncompleteError;
    expect(stop.code).toBe("DAILY_LIMIT_EXHAUSTED");
    expect(stop.message).toMatch(/Daily request budget exhausted.*run the same import again/i);
    expect(stop.summary.contacts.created).toBe(8);

    api.failWith = undefined;
    const s = await importLeads(api, state, leads, { file });
    expect(s).toMatchObject({ complete: true, resumed: true, notesCreated: 20 });
    expect(s.contacts.created).toBe(20);
    expect(api.notes).toHaveLength(20);
    expect(api.contacts.size).toBe(20);
  });

  it("a connection that needs reconnecting stops the import and says what to do", async () => {
    const api = new FakeHighLevel();
    api.failWith = (op) =>
      op === "upsert-contact" ? new ReconnectNeededError("refresh token revoked") : undefined;
    const err = await importLeads(api, stateFileFor("reconnect"), [lead(1), lead(2)]).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ImportIncompleteError);
    expect((err as ImportIncompleteError).code).toBe("RECONNECT_NEEDED");
    expect((err as Error).message).toMatch(
      /needs to be reconnected: refresh token revoked.*Reconnect, then run/,
    );
  });

  it("a lead HighLevel refuses fails alone; the others go on", async () => {
    const api = new FakeHighLevel();
    api.failWith = (op, body) =>
      op === "upsert-contact" && body?.email === "owner2@example.com"
        ? new HighLevelError("upsert-contact failed with 422: email invalid", {
            code: "HTTP_ERROR",
            status: 422,
            messages: ["email invalid"],
          })
        : undefined;
    const s = await importLeads(api, stateFileFor("fail1"), [lead(1), lead(2), lead(3)]);
    expect(s).toMatchObject({ complete: true, leadsFailed: 1 });
    expect(s.contacts.created).toBe(2);
    expect(s.failures).toEqual([{ rows: [2], error: expect.stringContaining("email invalid") }]);
  });

  it("every lead refused in a row: stops instead of failing them all", async () => {
    const api = new FakeHighLevel();
    api.failWith = (op) =>
      op === "upsert-contact"
        ? new HighLevelError("upsert-contact failed with 422: bad", { code: "HTTP_ERROR", status: 422 })
        : undefined;
    const err = await importLeads(
      api,
      stateFileFor("fail2"),
      Array.from({ length: 60 }, (_, i) => lead(i)),
      { concurrency: 1 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportIncompleteError);
    expect((err as Error).message).toMatch(/25 leads in a row were refused/);
    expect(api.calls.byOperation["upsert-contact"]).toBe(25);
  });
});

describe("pool and sequencer", () => {
  it("runs at most `limit` at once and stops taking items when asked", async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    await runPool(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (i) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 1));
        seen.push(i);
        running--;
      },
      () => seen.length >= 10,
    );
    expect(peak).toBe(3);
    expect(seen.length).toBeGreaterThanOrEqual(10);
    expect(seen.length).toBeLessThan(13);
  });

  it("work sharing a key runs in the order it was asked for", async () => {
    const seq = new KeyedSequencer();
    const order: string[] = [];
    const step = (name: string, keys: string[]) =>
      seq.run(keys, async () => {
        order.push(`${name}:start`);
        await new Promise((r) => setTimeout(r, 1));
        order.push(`${name}:end`);
      });
    await Promise.all([step("a", ["x"]), step("b", ["x", "y"]), step("c", ["y"]), step("d", ["z"])]);
    expect(order.indexOf("b:start")).toBeGreaterThan(order.indexOf("a:end"));
    expect(order.indexOf("c:start")).toBeGreaterThan(order.indexOf("b:end"));
    expect(order.indexOf("d:start")).toBeLessThan(order.indexOf("a:end"));
  });
});
