// Staged leads -> HighLevel with the fewest calls. Per lead: nothing when nothing changed; else
// one upsert (without tags: upsert replaces them), the note once per text, a call task once per
// hot transition (never for litigators and opt-outs), and its new tags queued for the bulk
// endpoint. Every write is recorded as it succeeds; a note or task is marked pending before it is
// created, and a pending one is looked for (not created again) when the lead is seen next.
import { HighLevelError } from "@hlconnect/client";
import type { Lead } from "../lead.ts";
import type { ContactWrite, ImportApi } from "./api.ts";
import type { FieldRegistryOptions, FieldReport } from "./custom-fields.ts";
import { describeError, ImportStoppedError, isLeadError, stopMessage } from "./errors.ts";
import { hashOf } from "./hash.ts";
import {
  type ContactPlan,
  contactPlan,
  customKey,
  isCompliance,
  noteText,
  propertyNote,
  tagSet,
  taskPlan,
} from "./plan.ts";
import { KeyedSequencer, runPool } from "./pool.ts";
import { isHot, type SyncSettings } from "./settings.ts";
import type { ImportTotals, OwnerRecord, SyncState, WrittenRecord } from "./state.ts";
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
  /** Picklist values: the mapping file's `fieldValues` and `--no-new-options`. */
  fieldOptions?: FieldRegistryOptions;
  /** Keep what was written and skipped per lead (for --report); off, a large dry run stays lean. */
  keepReports?: boolean;
}

/** What the import did with one lead, for the --report file. */
export interface LeadReport {
  written: string[];
  skipped: Array<{ what: string; why: string }>;
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
  /** Per custom field: values mapped onto options, options added, values dropped and why. */
  fieldReports?: FieldReport[];
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
    ? new (await import("./custom-fields.ts")).FieldRegistry(
        api,
        state,
        locationId,
        importId,
        opts.fieldOptions,
      )
    : undefined;
  // Picklist options no staged value can take are added before the first lead: one update per field.
  if (fields) {
    fields.prepareBeforeFirstWrite(settings.customFields, (fact) => state.distinctFactValues(importId, fact));
  }
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
    // Saved as each call is made, for a resume; a dry run is not resumed and saves them at its end.
    if (api) saveTotals();
  });
  let done = state.leadCounts(importId).leadsDone;
  let failuresInARow = 0;
  let stopped: unknown;

  // Contacts of new leads without email or phone (HighLevel cannot match them), found by the key the
  // import wrote into their "BatchLeads Key" field: one search per page of leads, before writing them.
  const foundByKey = new Map<string, string>();
  const prefetchByKey = async (leads: Lead[]) => {
    if (!settings.customFields.leadKey) return;
    const keys = leads
      .filter((l) => !l.emails[0] && !l.primaryPhone && !state.getWritten(locationId, l.key)?.contactId)
      .map((l) => l.key);
    if (!keys.length) return;
    // A field that does not exist yet is on no contact.
    const field = await fields!.existing(settings.customFields.leadKey.name);
    if (!field) return;
    const found = await api!.searchContacts(
      [{ field: `customFields.${field.id}`, operator: "eq", value: keys }],
      keys.length,
    );
    for (const c of found) {
      const key = c.customFields[field.id];
      if (typeof key === "string" && !foundByKey.has(key)) foundByKey.set(key, c.id);
    }
  };

  /**
   * The home contact: created (upsert, matched by email or phone; a lead with neither is looked up by its
   * key first), or updated by id with only the values that changed since the import last wrote them, so
   * a field edited by hand keeps its value until the export changes it.
   */
  const writeContact = async (
    lead: Lead,
    w: WrittenRecord | undefined,
    plan: ContactPlan,
    report: LeadReport,
  ) => {
    const resolved = await fields!.resolve(plan.custom);
    for (const p of resolved.problems) {
      const seen = warnings.get(p.field) ?? { field: p.field, count: 0, example: p.message };
      seen.count++;
      warnings.set(p.field, seen);
      report.skipped.push({ what: `${p.field} = ${JSON.stringify(p.value)}`, why: p.message });
    }
    for (const m of resolved.mapped) report.written.push(`mapped ${m}`);
    let known = w?.contactId;
    let write: ContactWrite | undefined;
    if (known) {
      const before = w?.fields;
      const changed = Object.keys(plan.values).filter(
        (k) => !before || JSON.stringify(before[k]) !== JSON.stringify(plan.values[k]),
      );
      const std = Object.fromEntries(
        changed.filter((k) => !k.startsWith("cf:") && k !== "companyName").map((k) => [k, plan.fields[k]]),
      );
      const names = new Set(changed.filter((k) => k.startsWith("cf:")).map((k) => k.slice(3)));
      const custom = Object.entries(resolved.byName)
        .filter(([name]) => names.has(name))
        .map(([, v]) => v);
      const body: Record<string, unknown> = { ...std, ...(custom.length ? { customFields: custom } : {}) };
      try {
        write = await api!.updateContact(known, body);
        report.written.push(
          `contact updated: ${changed.map((k) => (k.startsWith("cf:") ? k.slice(3) : k)).join(", ")}`,
        );
      } catch (err) {
        if (!isContactGone(err)) throw err;
        report.written.push("contact was deleted in HighLevel: created again");
        known = undefined;
      }
    }
    if (!write) {
      const body: Record<string, unknown> = { ...plan.fields, customFields: resolved.values };
      if (!plan.fields.email && !plan.fields.phone) {
        const found = foundByKey.get(lead.key);
        if (found) {
          const { companyName: _, ...update } = body; // not in UpdateContactDto
          write = await api!.updateContact(found, update);
          report.written.push("contact found by its BatchLeads Key and updated");
        }
      }
      if (!write) {
        state.markContactPending(locationId, lead.key);
        write = await api!.upsertContact(body);
        report.written.push(write.isNew ? "contact created" : "contact updated (matched by email or phone)");
      }
    }
    // Created before a kill and only confirmed now: still this import's creation.
    const created = write.isNew || (!known && w?.contactPending === true);
    // HighLevel now holds: what was written before, with this write's values on top.
    const hl: Record<string, unknown> = { ...(known ? (w?.asWritten ?? {}) : {}) };
    for (const [k, v] of Object.entries(plan.fields)) hl[k] = v;
    for (const name of Object.keys(plan.custom)) {
      const v = resolved.byName[name];
      if (v) hl[customKey(name)] = v.field_value;
      else delete hl[customKey(name)];
    }
    state.recordContact(
      importId,
      locationId,
      lead.key,
      write.id,
      plan.hash,
      created ? "created" : "updated",
      {
        plan: plan.values,
        hl,
      },
    );
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

  /** The owner's contact this lead joins, when an earlier lead of the same email or phone has one. */
  const ownerOf = (lead: Lead, w: WrittenRecord | undefined): (OwnerRecord & { by: string }) | undefined => {
    const found = state.findOwner(locationId, identity(lead));
    if (w?.role === "joined" && w.contactId) {
      return {
        ident: "",
        contactId: w.contactId,
        homeKey: w.homeKey ?? "",
        by: found?.ident.split(":")[0] ?? "earlier import",
      };
    }
    // A lead with its own contact keeps it: a contact's address never moves to another property. A state
    // from before owners were told apart may have several leads on one contact: the first seen stays home.
    const legacyTwin =
      w?.role === undefined && found?.contactId === w?.contactId && found?.homeKey !== lead.key;
    if (w?.contactId && !legacyTwin) return undefined;
    if (found && found.homeKey !== lead.key) return { ...found, by: found.ident.split(":")[0]! };
    return undefined;
  };

  /** A joined lead: its property as a note on the owner's contact, created once and updated when it changes. */
  const joinOwner = async (
    lead: Lead,
    w: WrittenRecord | undefined,
    owner: OwnerRecord & { by: string },
    report: LeadReport,
  ) => {
    const note = propertyNote(lead, settings);
    const same = w?.role === "joined" && w.contactId === owner.contactId;
    let noteId = same ? w?.noteId : undefined;
    let outcome: "created" | "updated" | "unchanged" = "unchanged";
    if (!same || w?.contactHash !== note.hash) {
      if (!dryRun && w?.notePending?.hash === note.hash) {
        // Created before a kill and never confirmed: look for it instead of adding it twice.
        const found = (await api.listNotes(owner.contactId)).find((n) => hashOf(n.body.trim()) === note.hash);
        if (found) {
          noteId = found.id;
          outcome = "created";
        }
      }
      if (outcome === "unchanged") {
        if (dryRun) outcome = noteId ? "updated" : "created";
        else if (noteId) {
          await api.updateNote(owner.contactId, noteId, note.text);
          outcome = "updated";
        } else {
          state.markNotePending(locationId, lead.key, { hash: note.hash, at: now().getTime() });
          noteId = await api.createNote(owner.contactId, note.text);
          outcome = "created";
        }
      }
      report.written.push(`property note ${outcome} on the owner's contact`);
    }
    state.recordJoined(
      importId,
      locationId,
      lead.key,
      { contactId: owner.contactId, homeKey: owner.homeKey, hash: note.hash, noteId, by: owner.by },
      outcome,
    );
    state.recordOwner(locationId, identity(lead), owner.contactId, owner.homeKey);
    return owner.contactId;
  };

  const processLead = async (lead: Lead): Promise<void> => {
    const w = state.getWritten(locationId, lead.key);
    const report: LeadReport = {
      written: [],
      skipped: lead.problems.map((p) => ({ what: "value", why: p })),
    };
    const owner = ownerOf(lead, w);
    let contactId: string | undefined;
    if (owner) {
      contactId = await joinOwner(lead, w, owner, report);
      report.skipped.push({
        what: "contact fields",
        why: `same ${owner.by} as lead ${owner.homeKey}: its contact keeps that property's address; this property is a note on it`,
      });
    } else {
      // A dry run's new contact needs no plan (nothing to compare it with, nothing is sent): a tenth of its time.
      const plan = dryRun && !w?.contactId ? undefined : contactPlan(lead, settings);
      // The contact: nothing when its payload is what was last written.
      contactId = w?.contactId;
      if (!contactId || !plan || w?.contactHash !== plan.hash) {
        if (dryRun || !plan) {
          state.recordContact(
            importId,
            locationId,
            lead.key,
            "",
            plan?.hash ?? "",
            contactId ? "updated" : "created",
          );
          contactId ??= `dry:${lead.key}`;
          report.written.push(w?.contactId ? "contact (would be updated)" : "contact (would be created)");
        } else {
          contactId = await writeContact(lead, w, plan, report);
        }
      }
      state.recordOwner(locationId, identity(lead), contactId, lead.key);
    }
    const sameContact = !!w?.contactId && w.contactId === contactId;

    // The note: once per text (a joined lead's notes are in its property note).
    let notesHash = sameContact ? w?.notesHash : undefined;
    if (!owner && w?.notePending && !dryRun) {
      // Looked for where it was sent; a contact that changed since gets the note anyway.
      const reconciled = await reconcileNote(lead, w, w.contactId);
      if (sameContact) notesHash = reconciled;
    }
    const text = owner ? undefined : noteText(lead);
    if (text && hashOf(text) !== notesHash) {
      const hash = hashOf(text);
      if (dryRun) state.recordNote(importId, locationId, lead.key, hash, undefined);
      else {
        state.markNotePending(locationId, lead.key, { hash, at: now().getTime() });
        const noteId = await api.createNote(contactId!, text);
        state.recordNote(importId, locationId, lead.key, hash, noteId);
      }
      report.written.push("note");
    }

    // The call task: once per transition into a hot status, never for litigators and opt-outs.
    let last = { transitions: w?.hotTransitions ?? 0, status: w?.status };
    if (w?.taskPending && !dryRun) last = await reconcileTask(lead, w, w.contactId);
    let complianceSkip = false;
    if (isHot(settings, lead.status) && !isHot(settings, last.status)) {
      if (isCompliance(lead)) {
        complianceSkip = true;
        report.skipped.push({ what: "call task", why: "litigator or opt-out: never a call task" });
      } else {
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
        report.written.push("call task");
      }
    }

    // Tags: only the ones not written (or queued) before; sent later, grouped across contacts.
    const before = sameContact ? (w?.tags ?? []) : [];
    const wanted = tagSet(lead, settings);
    const queueTags = wanted.filter((t) => !before.includes(t));
    if (queueTags.length) report.written.push(`tags: ${queueTags.join(", ")}`);
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
    if (opts.keepReports) state.saveLeadReport(importId, lead.key, report);
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
      if (api) await prefetchByKey(page.map((s) => s.lead));
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
  if (fields) outcome.fieldReports = fields.fieldReports();
  if (stopped !== undefined) {
    if (stopped instanceof ImportStoppedError) throw stopped;
    const code = stopped instanceof HighLevelError ? stopped.code : "ERROR";
    throw new ImportStoppedError(stopMessage(stopped), code, { cause: stopped });
  }
  return outcome;
}
