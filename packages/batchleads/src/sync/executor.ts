// Staged leads -> HighLevel with the fewest calls. Per lead: nothing when nothing changed; else
// one upsert (without tags: upsert replaces them), the note once per text, a call task once per
// hot transition (never for litigators and opt-outs), and its new tags queued for the bulk
// endpoint. Every write is recorded as it succeeds; a note or task is marked pending before it is
// created, and a pending one is looked for (not created again) when the lead is seen next.
import { HighLevelError } from "@hlconnect/client";
import type { Lead } from "../lead.ts";
import type { ContactWrite, ImportApi } from "./api.ts";
import { describeError, ImportStoppedError, isLeadError, stopMessage } from "./errors.ts";
import { hashOf } from "./hash.ts";
import { contactPlan, isCompliance, noteText, tagSet, taskPlan } from "./plan.ts";
import { KeyedSequencer, runPool } from "./pool.ts";
import { isHot, type SyncSettings } from "./settings.ts";
import type { ImportTotals, SyncState, WrittenRecord } from "./state.ts";
import { TagBatcher } from "./tags.ts";

export interface SyncOptions {
  state: SyncState;
  /** Undefined in a dry run: nothing is called, the counts say what would be written. */
  api: ImportApi | undefined;
  settings: SyncSettings;
  importId: string;
  locationId: string;
  /** Import-wide totals, updated in place and saved as they change. */
  totals: ImportTotals;
  /** Leads worked on at once (default 4): a few requests in flight, under the client's rate limiter. */
  concurrency?: number;
  now?: () => Date;
  /** Stop taking new leads; those in flight finish and are recorded. */
  signal?: AbortSignal;
  /** After each lead: how many of the import's leads are finished. */
  onProgress?: (done: number) => void;
}

export interface FieldWarning {
  field: string;
  count: number;
  example: string;
}

export interface SyncOutcome {
  /** Values a custom field could not take, per field. */
  fieldWarnings: FieldWarning[];
  /** Contacts the bulk tag endpoint refused (deleted in HighLevel): they are created again next time. */
  tagRefusals: Array<{ contactId: string; message: string }>;
  aborted: boolean;
}

const PAGE = 200;
/** This many leads failing in a row means the problem is not the leads: stop. */
const MAX_FAILURES_IN_A_ROW = 25;
/** How far before the recorded "about to create" time a found note may date (server clock skew). */
const SKEW_MS = 10 * 60_000;

function isContactGone(err: unknown): boolean {
  return (
    err instanceof HighLevelError &&
    err.status === 400 &&
    err.messages.some((m) => /contact (not found|is deleted)/i.test(m))
  );
}

export async function syncStagedLeads(opts: SyncOptions): Promise<SyncOutcome> {
  const { state, api, settings, importId, locationId, totals } = opts;
  const now = opts.now ?? (() => new Date());
  const dryRun = api === undefined;
  // Loaded only to write: a dry run resolves no field, and the catalog behind it is large.
  const fields = api
    ? new (await import("./custom-fields.ts")).FieldRegistry(api, state, locationId, importId)
    : undefined;
  const sequencer = new KeyedSequencer();
  const warnings = new Map<string, FieldWarning>();
  const outcome: SyncOutcome = { fieldWarnings: [], tagRefusals: [], aborted: false };
  // Totals of earlier runs of this import, plus what this run adds (the api may count other work too).
  const apiCallsBefore = totals.apiCalls - (api?.calls.total ?? 0);
  const fieldsBefore = totals.fieldsCreated;
  const saveTotals = () => {
    if (api) totals.apiCalls = apiCallsBefore + api.calls.total;
    if (fields) totals.fieldsCreated = fieldsBefore + fields.created;
    state.saveTotals(importId, totals);
  };
  const tags = new TagBatcher(state, api, locationId, (contacts, n) => {
    totals.tagCalls++;
    totals.tagsAdded += contacts * n;
    saveTotals();
  });
  let done = state.leadCounts(importId).leadsDone;
  let failuresInARow = 0;
  let stopped: unknown;

  const writeContact = async (
    lead: Lead,
    w: WrittenRecord | undefined,
    hash: string,
    body: Record<string, unknown>,
  ) => {
    const known = w?.contactId;
    let write: ContactWrite | undefined;
    // Without email or phone an upsert cannot find the contact again: update the one we made.
    if (known && !body.email && !body.phone) {
      const { companyName: _, ...update } = body; // not in UpdateContactDto
      try {
        write = await api!.updateContact(known, update);
      } catch (err) {
        if (!isContactGone(err)) throw err;
      }
    }
    if (!write) {
      if (!known) state.markContactPending(locationId, lead.key);
      write = await api!.upsertContact(body);
    }
    // Created before a kill and only confirmed now: still this import's creation.
    const created = write.isNew || (!known && w?.contactPending === true);
    state.recordContact(importId, locationId, lead.key, write.id, hash, created ? "created" : "updated");
    return write.id;
  };

  const reconcileNote = async (lead: Lead, w: WrittenRecord, contactId: string | undefined) => {
    const pending = w.notePending!;
    const found = contactId
      ? (await api!.listNotes(contactId)).find(
          (n) =>
            hashOf(n.body.trim()) === pending.hash &&
            (!n.dateAdded || Date.parse(n.dateAdded) >= pending.at - SKEW_MS),
        )
      : undefined;
    if (found) state.recordNote(importId, locationId, lead.key, pending.hash, found.id);
    else state.clearNotePending(locationId, lead.key);
    return found ? pending.hash : w.notesHash;
  };

  const reconcileTask = async (lead: Lead, w: WrittenRecord, contactId: string | undefined) => {
    const pending = w.taskPending!;
    const found = contactId
      ? (await api!.listTasks(contactId)).find((t) => t.body?.includes(`[${pending.ref}]`))
      : undefined;
    if (!found) {
      state.clearTaskPending(locationId, lead.key);
      return { transitions: w.hotTransitions, status: w.status };
    }
    state.recordTask(importId, locationId, lead.key, pending.transition, pending.status);
    return { transitions: pending.transition, status: pending.status };
  };

  const processLead = async (lead: Lead): Promise<void> => {
    const w = state.getWritten(locationId, lead.key);
    const plan = contactPlan(lead, settings);

    // The contact: nothing when its payload is what was last written.
    let contactId = w?.contactId;
    if (!contactId || w?.contactHash !== plan.hash) {
      if (dryRun) {
        state.recordContact(importId, locationId, lead.key, "", plan.hash, contactId ? "updated" : "created");
        contactId ??= `dry:${lead.key}`;
      } else {
        const resolved = await fields!.resolve(plan.custom);
        for (const p of resolved.problems) {
          const seen = warnings.get(p.field) ?? { field: p.field, count: 0, example: p.message };
          seen.count++;
          warnings.set(p.field, seen);
        }
        contactId = await writeContact(lead, w, plan.hash, { ...plan.fields, customFields: resolved.values });
      }
    }
    const sameContact = !!w?.contactId && w.contactId === contactId;

    // The note: once per text.
    let notesHash = sameContact ? w?.notesHash : undefined;
    if (w?.notePending && !dryRun) {
      // Looked for where it was sent; a contact that changed since gets the note anyway.
      const reconciled = await reconcileNote(lead, w, w.contactId);
      if (sameContact) notesHash = reconciled;
    }
    const text = noteText(lead);
    if (text && hashOf(text) !== notesHash) {
      const hash = hashOf(text);
      if (dryRun) state.recordNote(importId, locationId, lead.key, hash, undefined);
      else {
        state.markNotePending(locationId, lead.key, { hash, at: now().getTime() });
        const noteId = await api.createNote(contactId!, text);
        state.recordNote(importId, locationId, lead.key, hash, noteId);
      }
    }

    // The call task: once per transition into a hot status, never for litigators and opt-outs.
    let last = { transitions: w?.hotTransitions ?? 0, status: w?.status };
    if (w?.taskPending && !dryRun) last = await reconcileTask(lead, w, w.contactId);
    let complianceSkip = false;
    if (isHot(settings, lead.status) && !isHot(settings, last.status)) {
      if (isCompliance(lead)) complianceSkip = true;
      else {
        const transition = last.transitions + 1;
        const task = taskPlan(lead, settings, transition, now());
        if (!dryRun) {
          state.markTaskPending(locationId, lead.key, {
            ref: task.ref,
            at: now().getTime(),
            transition,
            ...(lead.status ? { status: lead.status } : {}),
          });
          await api.createTask(contactId!, { title: task.title, body: task.body, dueDate: task.dueDate });
        }
        state.recordTask(importId, locationId, lead.key, transition, lead.status);
      }
    }

    // Tags: only the ones not written (or queued) before; sent later, grouped across contacts.
    const before = sameContact ? (w?.tags ?? []) : [];
    const wanted = tagSet(lead, settings);
    const queueTags = wanted.filter((t) => !before.includes(t));
    state.finishLead({
      importId,
      locationId,
      key: lead.key,
      status: lead.status,
      tags: [...new Set([...before, ...wanted])].sort(),
      queueTags,
      contactId,
      complianceSkip,
    });
  };

  const syncOne = async (lead: Lead): Promise<void> => {
    try {
      try {
        await processLead(lead);
      } catch (err) {
        // Deleted in HighLevel since we wrote it: forget it and write the lead again, once.
        const known = state.getWritten(locationId, lead.key)?.contactId;
        if (dryRun || !known || !isContactGone(err)) throw err;
        state.forgetContact(locationId, known);
        await processLead(lead);
      }
      failuresInARow = 0;
      done++;
      opts.onProgress?.(done);
    } catch (err) {
      if (!isLeadError(err)) throw err;
      state.failLead(importId, lead.key, describeError(err));
      if (++failuresInARow >= MAX_FAILURES_IN_A_ROW) {
        throw new ImportStoppedError(
          `${MAX_FAILURES_IN_A_ROW} leads in a row were refused by HighLevel; the last: ${describeError(err)}`,
          "LEADS_FAILING",
          { cause: err },
        );
      }
    } finally {
      if (api) saveTotals();
    }
  };

  const identity = (lead: Lead) =>
    [lead.emails[0] && `email:${lead.emails[0]}`, lead.primaryPhone && `phone:${lead.primaryPhone}`].filter(
      (k): k is string => !!k,
    );

  try {
    let after = 0;
    for (;;) {
      const page = state.nextStaged(importId, after, PAGE);
      if (!page.length) break;
      after = page[page.length - 1]!.seq;
      await state.batch(() =>
        runPool(
          page,
          opts.concurrency ?? 4,
          (s) => sequencer.run(identity(s.lead), () => syncOne(s.lead)),
          () => opts.signal?.aborted === true,
        ),
      );
      if (opts.signal?.aborted) {
        outcome.aborted = true;
        break;
      }
      await tags.maybeFlush();
    }
    if (!outcome.aborted) outcome.tagRefusals = (await tags.flush(true)).refused;
  } catch (err) {
    stopped = err;
  } finally {
    saveTotals();
  }
  outcome.fieldWarnings = [...warnings.values()];
  if (stopped !== undefined) {
    if (stopped instanceof ImportStoppedError) throw stopped;
    const code = stopped instanceof HighLevelError ? stopped.code : "ERROR";
    throw new ImportStoppedError(stopMessage(stopped), code, { cause: stopped });
  }
  return outcome;
}
