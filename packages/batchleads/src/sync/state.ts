// The import's memory, in one SQLite file: the staged leads of the current import (merged per key,
// so memory stays flat whatever the file size), the import's progress and counts, and per location
// and lead what was last written to HighLevel (contact id and hashes, pending notes/tasks, the
// last status seen). A killed import, run again, reads this and finishes the job without repeats.
//
// A dry run never changes what was written: its working tables are TEMP tables (they shadow the
// file's own), and `written` is only read.
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Lead, RejectedRow } from "../lead.ts";
import { MemoryTagQueue } from "./tag-queue-memory.ts";

export type ImportStatus = "staging" | "syncing" | "done";

export interface ImportIdentity {
  /** Derived from path, size, mtime and the hash of the first MB: the same file gives the same id. */
  id: string;
  file: string;
  size: number;
  mtimeMs: number;
}

/** Import-wide totals that are not per lead, kept across a kill and a resume. */
export interface ImportTotals {
  apiCalls: number;
  tagCalls: number;
  /** Contact x tag pairs sent to the bulk endpoint. */
  tagsAdded: number;
  fieldsCreated: number;
}

export function emptyTotals(): ImportTotals {
  return { apiCalls: 0, tagCalls: 0, tagsAdded: 0, fieldsCreated: 0 };
}

/**
 * Per-lead outcomes, counted from the staging rows: each is recorded in the same transaction as
 * the write it counts, so the counts add up across a kill and a resume.
 */
export interface LeadCounts {
  leadsDone: number;
  leadsFailed: number;
  contactsCreated: number;
  contactsUpdated: number;
  contactsUnchanged: number;
  /** Leads whose property went onto another lead's contact (same owner). */
  contactsJoined: number;
  notesCreated: number;
  tasksCreated: number;
  complianceSkips: number;
}

export type ContactOutcome = "created" | "updated" | "unchanged" | "joined";

export interface ImportRecord {
  id: string;
  file: string;
  locationId: string;
  status: ImportStatus;
  rowsRead: number;
  leads: number;
  rejected: number;
  totals: ImportTotals;
  /** How many times this import was started (2+ means it was resumed). */
  runs: number;
}

export interface StagedLead {
  seq: number;
  lead: Lead;
}

export interface PendingNote {
  hash: string;
  /** Epoch ms when the create was about to be sent. */
  at: number;
}

export interface PendingTask {
  ref: string;
  at: number;
  transition: number;
  /** The hot status that caused it. */
  status?: string;
}

/** What was last written to HighLevel for one lead in one location. */
export interface WrittenRecord {
  contactId?: string;
  contactHash?: string;
  /** An upsert was about to be sent and its answer never recorded. */
  contactPending: boolean;
  /** Tags written or queued for the bulk endpoint (the queue is durable too). */
  tags: string[];
  notesHash?: string;
  noteId?: string;
  notePending?: PendingNote;
  status?: string;
  hotTransitions: number;
  taskPending?: PendingTask;
  role?: LeadRole;
  /** For a joined lead: the key of the lead whose contact it joined. */
  homeKey?: string;
  /** The contact values (standard by name, custom as "cf:<name>") last written, as the lead had them. */
  fields?: Record<string, unknown>;
  /** The same as HighLevel got them (picklist values on their option, numbers parsed...). */
  asWritten?: Record<string, unknown>;
}

export interface CachedField {
  id: string;
  name: string;
  dataType: string;
  picklistOptions?: string[];
}

export interface SyncStateOptions {
  /** The SQLite file; undefined = a private temporary database, deleted when closed. */
  file?: string;
  dryRun?: boolean;
}

const WORK_TABLES = `
  CREATE {T} TABLE IF NOT EXISTS imports (
    id TEXT PRIMARY KEY, file TEXT NOT NULL, size INTEGER, mtime_ms INTEGER, location_id TEXT NOT NULL,
    status TEXT NOT NULL, rows_read INTEGER NOT NULL DEFAULT 0, leads INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0, totals TEXT NOT NULL, runs INTEGER NOT NULL DEFAULT 1,
    started_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
  CREATE {T} TABLE IF NOT EXISTS staging (
    import_id TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, lead TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'todo', error TEXT, contact TEXT, note INTEGER NOT NULL DEFAULT 0,
    task INTEGER NOT NULL DEFAULT 0, compliance_skip INTEGER NOT NULL DEFAULT 0,
    joined TEXT, report TEXT,
    PRIMARY KEY (import_id, key));
  CREATE INDEX IF NOT EXISTS staging_seq ON staging (import_id, seq);
  CREATE {T} TABLE IF NOT EXISTS rejected (
    import_id TEXT NOT NULL, row INTEGER NOT NULL, reason TEXT NOT NULL, vals TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS rejected_import ON rejected (import_id, row);
  CREATE {T} TABLE IF NOT EXISTS tag_queue (
    location_id TEXT NOT NULL, contact_id TEXT NOT NULL, tag TEXT NOT NULL, set_key TEXT NOT NULL,
    lead_key TEXT NOT NULL, PRIMARY KEY (location_id, contact_id, tag));
  CREATE INDEX IF NOT EXISTS tag_queue_tag ON tag_queue (location_id, tag, set_key);
  CREATE {T} TABLE IF NOT EXISTS custom_fields (
    location_id TEXT NOT NULL, import_id TEXT NOT NULL, name TEXT NOT NULL, field TEXT NOT NULL,
    PRIMARY KEY (location_id, import_id, name));
`;

const WRITTEN_TABLE = `
  CREATE {T} TABLE IF NOT EXISTS written (
    location_id TEXT NOT NULL, key TEXT NOT NULL, contact_id TEXT, contact_hash TEXT,
    contact_pending INTEGER NOT NULL DEFAULT 0, tags TEXT NOT NULL DEFAULT '[]', notes_hash TEXT,
    note_id TEXT, note_pending TEXT, status TEXT, hot_transitions INTEGER NOT NULL DEFAULT 0,
    task_pending TEXT, updated_at INTEGER NOT NULL, role TEXT, home_key TEXT, fields TEXT,
    PRIMARY KEY (location_id, key));
  CREATE INDEX IF NOT EXISTS written_contact ON written (location_id, contact_id);
  CREATE {T} TABLE IF NOT EXISTS owners (
    location_id TEXT NOT NULL, ident TEXT NOT NULL, contact_id TEXT NOT NULL, home_key TEXT NOT NULL,
    PRIMARY KEY (location_id, ident)){OWNERS};
`;

/**
 * A dry run's owners (its own table): one b-tree instead of rows plus their key's index, so each of the
 * two random inserts per lead touches half the pages.
 */
const DRY_OWNERS = " WITHOUT ROWID";

/** Only a real import forgets contacts (by id): a dry run's owners need no second index. */
const OWNERS_BY_CONTACT = "CREATE INDEX IF NOT EXISTS owners_contact ON owners (location_id, contact_id)";

/** Columns added to `written` after the first release: added to older state files on open. */
const WRITTEN_ADDED = ["role TEXT", "home_key TEXT", "fields TEXT"];
const STAGING_ADDED = ["joined TEXT", "report TEXT"];

/** Marks "the list was read" for an import, so a location without fields is not read twice. */
const LIST_MARKER = "";

interface ImportRow {
  id: string;
  file: string;
  location_id: string;
  status: ImportStatus;
  rows_read: number;
  leads: number;
  rejected: number;
  totals: string;
  runs: number;
}

interface WrittenRow {
  contact_id: string | null;
  contact_hash: string | null;
  contact_pending: number;
  tags: string;
  notes_hash: string | null;
  note_id: string | null;
  note_pending: string | null;
  status: string | null;
  hot_transitions: number;
  task_pending: string | null;
  role: string | null;
  home_key: string | null;
  fields: string | null;
}

/**
 * Where a lead lives in HighLevel: on its own contact ("home": the contact's address and fields are its
 * property's), or on the contact of an earlier lead of the same owner ("joined": its property is a
 * "Property:" note there). See docs/adr/0006-batchleads-owners-with-several-properties.md.
 */
export type LeadRole = "home" | "joined";

/** The owner an identity (email or phone) already belongs to. */
export interface OwnerRecord {
  ident: string;
  contactId: string;
  homeKey: string;
}

/** Lead finished: what to remember about it, in one transaction with its staging row. */
export interface LeadDone {
  importId: string;
  locationId: string;
  key: string;
  status: string | undefined;
  /** The full tag set now written or queued, and the part of it to queue. */
  tags: string[];
  queueTags: string[];
  /** Where queued tags go (a placeholder in a dry run). */
  contactId: string | undefined;
  complianceSkip: boolean;
}

export class SyncState {
  readonly db: Database.Database;
  readonly dryRun: boolean;
  /** A dry run's tag queue (it only counts calls); a real import's is the state's `tag_queue` table. */
  private readonly memoryQueue: MemoryTagQueue | undefined;

  private constructor(db: Database.Database, dryRun: boolean) {
    this.db = db;
    this.dryRun = dryRun;
    this.memoryQueue = dryRun ? new MemoryTagQueue() : undefined;
  }

  static open(options: SyncStateOptions = {}): SyncState {
    const dryRun = options.dryRun ?? false;
    let db: Database.Database;
    if (options.file && dryRun) {
      try {
        db = new Database(options.file, { readonly: true, fileMustExist: true });
      } catch {
        db = new Database(""); // no state yet: everything would be created
        throwaway(db, "main");
      }
      throwaway(db, "temp"); // a dry run's working tables
    } else if (options.file) {
      mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
      db = new Database(options.file);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
    } else {
      db = new Database("");
      throwaway(db, "main");
    }
    db.pragma("busy_timeout = 5000");
    const state = new SyncState(db, dryRun);
    state.migrate();
    return state;
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared once, reused: preparing costs more than running for these small statements. */
  private sql(text: string): Database.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  /**
   * Run a page of leads in one transaction (the writes inside become savepoints). Only for dry runs:
   * a real import commits each write as it happens, so a kill loses nothing.
   */
  batch<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.dryRun || this.db.inTransaction) return fn();
    this.db.exec("BEGIN");
    return fn().then(
      (v) => {
        this.db.exec("COMMIT");
        return v;
      },
      (err: unknown) => {
        this.db.exec("ROLLBACK");
        throw err;
      },
    );
  }

  /**
   * Run `body` atomically. In a dry run's page transaction (`batch`) it runs as it is: a savepoint per
   * write buys nothing there (an error ends the dry run) and cost a tenth of its time. Statements are
   * prepared once, where db.transaction() would build its wrappers again on every call.
   */
  private atomic<R>(body: () => R): R {
    const nested = this.db.inTransaction;
    if (nested && this.dryRun) return body();
    this.sql(nested ? "SAVEPOINT atomic" : "BEGIN").run();
    try {
      const result = body();
      this.sql(nested ? "RELEASE atomic" : "COMMIT").run();
      return result;
    } catch (err) {
      if (this.db.inTransaction) {
        if (nested) {
          this.sql("ROLLBACK TO atomic").run();
          this.sql("RELEASE atomic").run();
        } else this.sql("ROLLBACK").run();
      }
      throw err;
    }
  }

  private migrate(): void {
    const temp = this.dryRun ? "TEMP" : "";
    this.db.exec(WORK_TABLES.replaceAll("{T}", temp));
    const hasWritten = this.sql(
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'written'",
    ).get();
    // A dry run reads the file's `written` when there is one, else an empty one of its own.
    if (!this.dryRun || !hasWritten)
      this.db.exec(WRITTEN_TABLE.replaceAll("{T}", temp).replace("{OWNERS}", this.dryRun ? DRY_OWNERS : ""));
    else {
      // Owners a dry run finds are its own (TEMP), on top of the ones the file remembers.
      this.db.exec(
        `CREATE TEMP TABLE IF NOT EXISTS owners (location_id TEXT NOT NULL, ident TEXT NOT NULL, contact_id TEXT NOT NULL, home_key TEXT NOT NULL, PRIMARY KEY (location_id, ident))${DRY_OWNERS}`,
      );
      const hasOwners = this.sql(
        "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'owners'",
      ).get();
      if (hasOwners) this.db.exec("INSERT OR IGNORE INTO temp.owners SELECT * FROM main.owners");
      return;
    }
    if (!this.dryRun) this.db.exec(OWNERS_BY_CONTACT);
    this.addColumns("written", WRITTEN_ADDED);
    this.addColumns("staging", STAGING_ADDED);
  }

  /** Older state files gain the columns added since (SQLite adds a column in place). */
  private addColumns(table: string, columns: string[]): void {
    const rows = this.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>;
    const have = new Set(rows.map((r) => r.name));
    for (const col of columns) {
      if (!have.has(col.split(" ")[0]!)) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${col}`);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- imports

  getImport(id: string): ImportRecord | undefined {
    const row = this.sql("SELECT * FROM imports WHERE id = ?").get(id) as ImportRow | undefined;
    return row ? toImport(row) : undefined;
  }

  /**
   * Start (or restart) an import: resume it when it is unfinished, else begin afresh. Staging of
   * other imports is dropped: only the current one is kept (what they wrote is in `written`).
   */
  beginImport(identity: ImportIdentity, locationId: string, now = Date.now()): ImportRecord {
    return this.atomic(() => {
      const found = this.getImport(identity.id);
      this.sql("DELETE FROM staging WHERE import_id <> ?").run(identity.id);
      this.sql("DELETE FROM rejected WHERE import_id <> ?").run(identity.id);
      this.sql("DELETE FROM imports WHERE id <> ?").run(identity.id);
      if (found && found.status === "syncing" && found.locationId === locationId) {
        this.sql("UPDATE imports SET runs = runs + 1, updated_at = ? WHERE id = ?").run(now, identity.id);
        return { ...found, runs: found.runs + 1 };
      }
      // Fresh, or staging was cut short (staging writes nothing to HighLevel: just do it again).
      this.sql("DELETE FROM staging WHERE import_id = ?").run(identity.id);
      this.sql("DELETE FROM rejected WHERE import_id = ?").run(identity.id);
      this.sql(
        `INSERT OR REPLACE INTO imports (id, file, size, mtime_ms, location_id, status, totals, runs,
             started_at, updated_at) VALUES (?, ?, ?, ?, ?, 'staging', ?, 1, ?, ?)`,
      ).run(
        identity.id,
        identity.file,
        identity.size,
        identity.mtimeMs,
        locationId,
        JSON.stringify(emptyTotals()),
        now,
        now,
      );
      return this.getImport(identity.id)!;
    });
  }

  setImportStatus(id: string, status: ImportStatus): void {
    this.sql("UPDATE imports SET status = ?, updated_at = ? WHERE id = ?").run(status, Date.now(), id);
  }

  saveTotals(id: string, totals: ImportTotals): void {
    this.sql("UPDATE imports SET totals = ?, updated_at = ? WHERE id = ?").run(
      JSON.stringify(totals),
      Date.now(),
      id,
    );
  }

  leadCounts(importId: string): LeadCounts {
    const r = this.sql(
      `SELECT COALESCE(SUM(state = 'done'), 0) AS leadsDone, COALESCE(SUM(state = 'failed'), 0) AS leadsFailed,
           COALESCE(SUM(contact = 'created'), 0) AS contactsCreated,
           COALESCE(SUM(contact = 'updated'), 0) AS contactsUpdated,
           COALESCE(SUM(contact = 'unchanged'), 0) AS contactsUnchanged,
           COALESCE(SUM(contact = 'joined'), 0) AS contactsJoined,
           COALESCE(SUM(note), 0) AS notesCreated, COALESCE(SUM(task), 0) AS tasksCreated,
           COALESCE(SUM(compliance_skip), 0) AS complianceSkips
         FROM staging WHERE import_id = ?`,
    ).get(importId) as LeadCounts;
    return r;
  }

  // ---- staging

  /**
   * Stage one batch of rows in a transaction: leads merged into the staged lead of the same key
   * (`merge(staged, next)`, the later row winning), rejected rows kept for the report.
   */
  stageBatch(
    importId: string,
    leads: Lead[],
    rejected: RejectedRow[],
    rowsRead: number,
    merge: (staged: Lead, next: Lead) => Lead,
  ): void {
    const get = this.sql("SELECT lead FROM staging WHERE import_id = ? AND key = ?");
    const update = this.sql("UPDATE staging SET lead = ? WHERE import_id = ? AND key = ?");
    const insert = this.sql(
      `INSERT INTO staging (import_id, key, seq, lead)
       VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM staging WHERE import_id = ?), ?)
       ON CONFLICT (import_id, key) DO NOTHING`,
    );
    const reject = this.sql("INSERT INTO rejected (import_id, row, reason, vals) VALUES (?, ?, ?, ?)");
    this.atomic(() => {
      let added = 0;
      for (const lead of leads) {
        // Most keys are new: insert first, and only a key seen before is read and merged.
        if (insert.run(importId, lead.key, importId, JSON.stringify(lead)).changes > 0) {
          added++;
          continue;
        }
        const old = get.get(importId, lead.key) as { lead: string };
        update.run(JSON.stringify(merge(JSON.parse(old.lead) as Lead, lead)), importId, lead.key);
      }
      for (const r of rejected) reject.run(importId, r.row, r.reason, JSON.stringify(r.values));
      this.sql(
        `UPDATE imports SET rows_read = rows_read + ?, leads = leads + ?, rejected = rejected + ?,
             updated_at = ? WHERE id = ?`,
      ).run(rowsRead, added, rejected.length, Date.now(), importId);
    });
  }

  /** Leads still to sync (not yet done, or failed earlier), in file order, after `afterSeq`. */
  nextStaged(importId: string, afterSeq: number, limit: number): StagedLead[] {
    const rows = this.sql(
      `SELECT seq, lead FROM staging WHERE import_id = ? AND seq > ? AND state <> 'done'
         ORDER BY seq LIMIT ?`,
    ).all(importId, afterSeq, limit) as Array<{ seq: number; lead: string }>;
    return rows.map((r) => ({ seq: r.seq, lead: JSON.parse(r.lead) as Lead }));
  }

  /** The rejected rows of an import, in row order, page by page (constant memory). */
  *rejectedRows(importId: string, pageSize = 500): Generator<RejectedRow> {
    let after = -1;
    let rowid = 0;
    for (;;) {
      const page = this.sql(
        `SELECT rowid AS id, row, reason, vals FROM rejected WHERE import_id = ?
             AND (row > ? OR (row = ? AND rowid > ?)) ORDER BY row, rowid LIMIT ?`,
      ).all(importId, after, after, rowid, pageSize) as Array<{
        id: number;
        row: number;
        reason: string;
        vals: string;
      }>;
      if (!page.length) return;
      for (const r of page) {
        yield { row: r.row, reason: r.reason, values: JSON.parse(r.vals) as Record<string, string> };
      }
      const last = page[page.length - 1]!;
      after = last.row;
      rowid = last.id;
    }
  }

  // ---- what was written

  getWritten(locationId: string, key: string): WrittenRecord | undefined {
    const r = this.sql("SELECT * FROM written WHERE location_id = ? AND key = ?").get(locationId, key) as
      | WrittenRow
      | undefined;
    if (!r) return undefined;
    return {
      ...(r.contact_id ? { contactId: r.contact_id } : {}),
      ...(r.contact_hash ? { contactHash: r.contact_hash } : {}),
      contactPending: r.contact_pending === 1,
      tags: JSON.parse(r.tags) as string[],
      ...(r.notes_hash ? { notesHash: r.notes_hash } : {}),
      ...(r.note_id ? { noteId: r.note_id } : {}),
      ...(r.note_pending ? { notePending: JSON.parse(r.note_pending) as PendingNote } : {}),
      ...(r.status !== null ? { status: r.status } : {}),
      hotTransitions: r.hot_transitions,
      ...(r.task_pending ? { taskPending: JSON.parse(r.task_pending) as PendingTask } : {}),
      ...(r.role === "home" || r.role === "joined" ? { role: r.role } : {}),
      ...(r.home_key ? { homeKey: r.home_key } : {}),
      ...(r.fields ? parseFields(r.fields) : {}),
    };
  }

  /** Every lead of `scope` with a contact, as (key, contact id), page by page. */
  writtenContacts(scope: string, keys: string[]): Array<{ key: string; contactId: string }> {
    if (!keys.length) return [];
    return this.sql(
      `SELECT w.key AS key, w.contact_id AS contactId FROM (SELECT value FROM json_each(?)) AS k
         CROSS JOIN written AS w ON w.location_id = ? AND w.key = k.value WHERE w.contact_id IS NOT NULL`,
    ).all(JSON.stringify(keys), scope) as Array<{ key: string; contactId: string }>;
  }

  /** A few remembered contacts of `scope` (the latest remembered: no sort of the whole table), for the check at the start of a run. */
  sampleContacts(scope: string, limit: number): Array<{ key: string; contactId: string }> {
    return this.sql(
      `SELECT key, contact_id AS contactId FROM written WHERE location_id = ? AND contact_id IS NOT NULL
         ORDER BY rowid DESC LIMIT ?`,
    ).all(scope, limit) as Array<{ key: string; contactId: string }>;
  }

  // ---- owners: which contact an email or phone already belongs to

  findOwner(scope: string, idents: string[]): OwnerRecord | undefined {
    for (const ident of idents) {
      const r = this.sql(
        "SELECT ident, contact_id AS contactId, home_key AS homeKey FROM owners WHERE location_id = ? AND ident = ?",
      ).get(scope, ident) as OwnerRecord | undefined;
      if (r && r.contactId === "") r.contactId = `dry:${r.homeKey}`;
      if (r) return r;
    }
    return undefined;
  }

  /** The first lead to reach a contact with an identity owns it for good (INSERT OR IGNORE). */
  recordOwner(scope: string, idents: string[], contactId: string, homeKey: string): void {
    const put = this.sql(
      "INSERT OR IGNORE INTO owners (location_id, ident, contact_id, home_key) VALUES (?, ?, ?, ?)",
    );
    // A dry run's own contacts are "dry:<home key>": kept as "" (a million owners' rows are a third smaller,
    // and their random inserts touch fewer pages).
    const stored = this.dryRun && contactId === `dry:${homeKey}` ? "" : contactId;
    for (const ident of idents) put.run(scope, ident, stored, homeKey);
  }

  /** A joined lead: its property note on the owner's contact. */
  recordJoined(
    importId: string,
    scope: string,
    key: string,
    j: { contactId: string; homeKey: string; hash: string; noteId: string | undefined; by: string },
    outcome: "created" | "updated" | "unchanged",
  ): void {
    this.atomic(() => {
      this.upsertWritten(scope, key, {
        contact_id: j.contactId,
        contact_hash: j.hash,
        contact_pending: 0,
        role: "joined",
        home_key: j.homeKey,
        note_pending: null,
        ...(j.noteId !== undefined ? { note_id: j.noteId } : {}),
      });
      this.sql("UPDATE staging SET joined = ?, contact = 'joined' WHERE import_id = ? AND key = ?").run(
        JSON.stringify({ contactId: j.contactId, homeKey: j.homeKey, by: j.by, note: outcome }),
        importId,
        key,
      );
    });
  }

  /** What the import wrote and skipped for a lead (the --report file), kept with its staging row. */
  saveLeadReport(importId: string, key: string, report: unknown): void {
    this.sql("UPDATE staging SET report = ? WHERE import_id = ? AND key = ?").run(
      JSON.stringify(report),
      importId,
      key,
    );
  }

  /** Leads that joined another lead's contact in this import. */
  joinedLeads(
    importId: string,
    limit: number,
  ): Array<{ key: string; rows: number[]; contactId: string; homeKey: string; by: string }> {
    const rows = this.sql(
      "SELECT key, lead, joined FROM staging WHERE import_id = ? AND joined IS NOT NULL ORDER BY seq LIMIT ?",
    ).all(importId, limit) as Array<{ key: string; lead: string; joined: string }>;
    return rows.map((r) => {
      const j = JSON.parse(r.joined) as { contactId: string; homeKey: string; by: string };
      return {
        key: r.key,
        rows: (JSON.parse(r.lead) as Lead).rows,
        contactId: j.contactId,
        homeKey: j.homeKey,
        by: j.by,
      };
    });
  }

  countJoined(importId: string): number {
    return (
      this.sql("SELECT COUNT(*) AS n FROM staging WHERE import_id = ? AND joined IS NOT NULL").get(
        importId,
      ) as {
        n: number;
      }
    ).n;
  }

  /** Staged leads with their report, in file order, page by page (for the --report file). */
  *stagedReports(
    importId: string,
    pageSize = 500,
  ): Generator<{ lead: Lead; state: string; error: string | null; contact: string | null; report: unknown }> {
    let after = 0;
    for (;;) {
      const page = this.sql(
        `SELECT seq, lead, state, error, contact, report FROM staging WHERE import_id = ? AND seq > ?
           ORDER BY seq LIMIT ?`,
      ).all(importId, after, pageSize) as Array<{
        seq: number;
        lead: string;
        state: string;
        error: string | null;
        contact: string | null;
        report: string | null;
      }>;
      if (!page.length) return;
      for (const r of page) {
        yield {
          lead: JSON.parse(r.lead) as Lead,
          state: r.state,
          error: r.error,
          contact: r.contact,
          report: r.report ? JSON.parse(r.report) : undefined,
        };
      }
      after = page[page.length - 1]!.seq;
    }
  }

  /** Distinct values of one fact over the import's staged leads (picklist options to map or add). */
  distinctFactValues(importId: string, fact: string): Array<{ value: string; leads: number }> {
    return this.sql(
      `SELECT CAST(v AS TEXT) AS value, COUNT(*) AS leads FROM (
         SELECT json_extract(lead, ?) AS v FROM staging WHERE import_id = ?) WHERE v IS NOT NULL AND v <> ''
         GROUP BY CAST(v AS TEXT) ORDER BY leads DESC, value`,
    ).all(`$.facts.${JSON.stringify(fact)}`, importId) as Array<{ value: string; leads: number }>;
  }

  private upsertWritten(locationId: string, key: string, set: Record<string, unknown>): void {
    if (this.dryRun) return; // a dry run changes nothing it would have to remember
    const cols = Object.keys(set);
    const assignments = cols.map((c) => `${c} = @${c}`).join(", ");
    this.sql(
      `INSERT INTO written (location_id, key, updated_at${cols.map((c) => `, ${c}`).join("")})
         VALUES (@location_id, @key, @updated_at${cols.map((c) => `, @${c}`).join("")})
         ON CONFLICT (location_id, key) DO UPDATE SET updated_at = @updated_at${cols.length ? `, ${assignments}` : ""}`,
    ).run({ ...set, location_id: locationId, key, updated_at: Date.now() });
  }

  private markStaged(importId: string, key: string, set: string, value: unknown): void {
    this.sql(`UPDATE staging SET ${set} WHERE import_id = ? AND key = ?`).run(value, importId, key);
  }

  /**
   * A dry run's marks on a lead's staging row (contact outcome, note, task), written with the lead's
   * finish in one update instead of one each: a dry run is not resumed, so nothing is lost by waiting.
   */
  private readonly deferredMarks = new Map<string, { contact?: string; note?: 1; task?: 1 }>();

  private deferMark(key: string, mark: { contact?: string; note?: 1; task?: 1 }): void {
    const marks = this.deferredMarks.get(key);
    if (!marks) this.deferredMarks.set(key, mark);
    else {
      if (mark.contact && (!marks.contact || marks.contact === "unchanged")) marks.contact = mark.contact;
      if (mark.note) marks.note = 1;
      if (mark.task) marks.task = 1;
    }
  }

  markContactPending(locationId: string, key: string): void {
    this.upsertWritten(locationId, key, { contact_pending: 1 });
  }

  recordContact(
    importId: string,
    locationId: string,
    key: string,
    contactId: string,
    hash: string,
    outcome: "created" | "updated",
    fields?: { plan: Record<string, unknown>; hl: Record<string, unknown> },
  ): void {
    this.atomic(() => {
      this.upsertWritten(locationId, key, {
        contact_id: contactId,
        contact_hash: hash,
        contact_pending: 0,
        role: "home",
        home_key: null,
        ...(fields ? { fields: JSON.stringify(fields) } : {}),
      });
      // A lead retried after a failure keeps its first outcome ("created" stays created).
      if (this.dryRun) this.deferMark(key, { contact: outcome });
      else
        this.markStaged(
          importId,
          key,
          "contact = CASE WHEN contact IS NULL OR contact = 'unchanged' THEN ? ELSE contact END",
          outcome,
        );
    });
  }

  markNotePending(locationId: string, key: string, pending: PendingNote): void {
    this.upsertWritten(locationId, key, { note_pending: JSON.stringify(pending) });
  }

  /** The note exists (created, or found after an unconfirmed create). */
  recordNote(
    importId: string,
    locationId: string,
    key: string,
    hash: string,
    noteId: string | undefined,
  ): void {
    this.atomic(() => {
      this.upsertWritten(locationId, key, { notes_hash: hash, note_id: noteId ?? null, note_pending: null });
      if (this.dryRun) this.deferMark(key, { note: 1 });
      else this.markStaged(importId, key, "note = ?", 1);
    });
  }

  clearNotePending(locationId: string, key: string): void {
    this.upsertWritten(locationId, key, { note_pending: null });
  }

  markTaskPending(locationId: string, key: string, pending: PendingTask): void {
    this.upsertWritten(locationId, key, { task_pending: JSON.stringify(pending) });
  }

  /** The task of a hot transition exists: count the transition and remember the status that caused it. */
  recordTask(
    importId: string,
    locationId: string,
    key: string,
    transition: number,
    status: string | undefined,
  ): void {
    this.atomic(() => {
      this.upsertWritten(locationId, key, {
        hot_transitions: transition,
        task_pending: null,
        status: status ?? null,
      });
      if (this.dryRun) this.deferMark(key, { task: 1 });
      else this.markStaged(importId, key, "task = ?", 1);
    });
  }

  clearTaskPending(locationId: string, key: string): void {
    this.upsertWritten(locationId, key, { task_pending: null });
  }

  /** The contact is gone from HighLevel: forget it, so the next import creates it again. */
  forgetContact(locationId: string, contactId: string): void {
    if (this.dryRun) return;
    this.atomic(() => {
      this.sql(
        `UPDATE written SET contact_id = NULL, contact_hash = NULL, tags = '[]', notes_hash = NULL,
             note_id = NULL, role = NULL, home_key = NULL, fields = NULL, updated_at = ?
           WHERE location_id = ? AND contact_id = ?`,
      ).run(Date.now(), locationId, contactId);
      this.sql("DELETE FROM owners WHERE location_id = ? AND contact_id = ?").run(locationId, contactId);
      this.sql("DELETE FROM tag_queue WHERE location_id = ? AND contact_id = ?").run(locationId, contactId);
    });
  }

  /** Everything about a finished lead, at once: status, tags (queued), staging row. */
  finishLead(done: LeadDone): void {
    const { importId, locationId, key } = done;
    this.atomic(() => {
      this.upsertWritten(locationId, key, { status: done.status ?? null, tags: JSON.stringify(done.tags) });
      if (done.queueTags.length && done.contactId && this.memoryQueue) {
        this.memoryQueue.enqueue(locationId, done.contactId, done.queueTags, done.queueTags.join("\u0001"));
      } else if (done.queueTags.length && done.contactId) {
        const add = this.sql(
          `INSERT OR IGNORE INTO tag_queue (location_id, contact_id, tag, set_key, lead_key)
           VALUES (?, ?, ?, ?, ?)`,
        );
        const setKey = done.queueTags.join("\u0001");
        for (const tag of done.queueTags) add.run(locationId, done.contactId, tag, setKey, key);
      }
      const marks = this.takeMarks(key);
      this.sql(
        `UPDATE staging SET state = 'done', error = NULL,
             contact = CASE WHEN @contact IS NOT NULL AND (contact IS NULL OR contact = 'unchanged') THEN @contact
               ELSE COALESCE(contact, 'unchanged') END,
             note = MAX(note, @note), task = MAX(task, @task),
             compliance_skip = @skip WHERE import_id = @importId AND key = @key`,
      ).run({ ...marks, skip: done.complianceSkip ? 1 : 0, importId, key });
    });
  }

  /** The lead's deferred marks (a dry run's), as the finishing update's parameters. */
  private takeMarks(key: string): { contact: string | null; note: number; task: number } {
    const m = this.deferredMarks.get(key);
    if (m) this.deferredMarks.delete(key);
    return { contact: m?.contact ?? null, note: m?.note ?? 0, task: m?.task ?? 0 };
  }

  failLead(importId: string, key: string, error: string): void {
    const marks = this.takeMarks(key);
    this.sql(
      `UPDATE staging SET state = 'failed', error = @error,
           contact = CASE WHEN @contact IS NOT NULL AND (contact IS NULL OR contact = 'unchanged') THEN @contact
             ELSE contact END, note = MAX(note, @note), task = MAX(task, @task)
         WHERE import_id = @importId AND key = @key`,
    ).run({ ...marks, error, importId, key });
  }

  /** The first failures of an import, with the lead's rows, for the summary. */
  failures(importId: string, limit: number): Array<{ key: string; rows: number[]; error: string }> {
    const rows = this.sql(
      `SELECT key, lead, error FROM staging WHERE import_id = ? AND state = 'failed' ORDER BY seq LIMIT ?`,
    ).all(importId, limit) as Array<{ key: string; lead: string; error: string }>;
    return rows.map((r) => ({ key: r.key, rows: (JSON.parse(r.lead) as Lead).rows, error: r.error }));
  }

  // ---- the bulk tag queue

  queuedContacts(locationId: string): number {
    if (this.memoryQueue) return this.memoryQueue.queuedContacts(locationId);
    const r = this.sql("SELECT COUNT(DISTINCT contact_id) AS n FROM tag_queue WHERE location_id = ?").get(
      locationId,
    ) as { n: number };
    return r.n;
  }

  /** The tag most contacts are waiting for, and how many. */
  topQueuedTag(locationId: string): { tag: string; contacts: number } | undefined {
    if (this.memoryQueue) return this.memoryQueue.topQueuedTag(locationId);
    return this.sql(
      `SELECT tag, COUNT(*) AS contacts FROM tag_queue WHERE location_id = ?
         GROUP BY tag ORDER BY contacts DESC, tag LIMIT 1`,
    ).get(locationId) as { tag: string; contacts: number } | undefined;
  }

  /** Up to `limit` contacts waiting for `tag`, those with the same pending set side by side. */
  contactsQueuedFor(locationId: string, tag: string, limit: number): string[] {
    if (this.memoryQueue) return this.memoryQueue.contactsQueuedFor(locationId, tag, limit);
    const rows = this.sql(
      `SELECT contact_id FROM tag_queue WHERE location_id = ? AND tag = ?
         ORDER BY set_key, contact_id LIMIT ?`,
    ).all(locationId, tag, limit) as Array<{ contact_id: string }>;
    return rows.map((r) => r.contact_id);
  }

  /** The tags every one of `contactIds` is waiting for. */
  tagsQueuedForAll(locationId: string, contactIds: string[]): string[] {
    if (!contactIds.length) return [];
    if (this.memoryQueue) return this.memoryQueue.tagsQueuedForAll(locationId, contactIds);
    // Driven by the contacts (CROSS JOIN keeps that order: a primary key lookup each), not by a scan of
    // the whole queue.
    const rows = this.sql(
      `SELECT q.tag AS tag FROM (SELECT DISTINCT value FROM json_each(?)) AS c
         CROSS JOIN tag_queue AS q ON q.location_id = ? AND q.contact_id = c.value
         GROUP BY q.tag HAVING COUNT(*) = ? ORDER BY q.tag`,
    ).all(JSON.stringify(contactIds), locationId, new Set(contactIds).size) as Array<{ tag: string }>;
    return rows.map((r) => r.tag);
  }

  dequeueTags(locationId: string, contactIds: string[], tags: string[]): void {
    if (this.memoryQueue) {
      this.memoryQueue.dequeue(locationId, contactIds, tags);
      return;
    }
    // One primary key delete per pair: cheaper than matching the queue against two lists.
    const del = this.sql("DELETE FROM tag_queue WHERE location_id = ? AND contact_id = ? AND tag = ?");
    this.atomic(() => {
      for (const contactId of contactIds) for (const tag of tags) del.run(locationId, contactId, tag);
    });
  }

  // ---- custom fields, cached per import

  /** The location's fields as read (and created) during this import; undefined before the first read. */
  cachedFields(locationId: string, importId: string): CachedField[] | undefined {
    const rows = this.sql(
      "SELECT name, field FROM custom_fields WHERE location_id = ? AND import_id = ?",
    ).all(locationId, importId) as Array<{ name: string; field: string }>;
    if (!rows.some((r) => r.name === LIST_MARKER)) return undefined;
    return rows.filter((r) => r.name !== LIST_MARKER).map((r) => JSON.parse(r.field) as CachedField);
  }

  cacheFields(locationId: string, importId: string, fields: CachedField[]): void {
    const put = this.sql(
      "INSERT OR REPLACE INTO custom_fields (location_id, import_id, name, field) VALUES (?, ?, ?, ?)",
    );
    this.atomic(() => {
      this.sql("DELETE FROM custom_fields WHERE location_id = ? AND import_id <> ?").run(
        locationId,
        importId,
      );
      put.run(locationId, importId, LIST_MARKER, "{}");
      for (const f of fields) put.run(locationId, importId, f.id, JSON.stringify(f));
    });
  }
}

/**
 * A database deleted when closed: journal in memory and no fsync (a crash loses nothing worth keeping), and a
 * small page cache spilling to a temporary file, so a million staged leads do not grow the process.
 */
function throwaway(db: Database.Database, schema: "main" | "temp"): void {
  db.pragma(`${schema}.journal_mode = MEMORY`);
  db.pragma(`${schema}.synchronous = OFF`);
  db.pragma(`${schema}.cache_size = -4096`);
  db.pragma("temp_store = FILE");
}

function parseFields(text: string): Pick<WrittenRecord, "fields" | "asWritten"> {
  const f = JSON.parse(text) as { plan?: Record<string, unknown>; hl?: Record<string, unknown> };
  return { ...(f.plan ? { fields: f.plan } : {}), ...(f.hl ? { asWritten: f.hl } : {}) };
}

function toImport(row: ImportRow): ImportRecord {
  return {
    id: row.id,
    file: row.file,
    locationId: row.location_id,
    status: row.status,
    rowsRead: row.rows_read,
    leads: row.leads,
    rejected: row.rejected,
    totals: { ...emptyTotals(), ...(JSON.parse(row.totals) as Partial<ImportTotals>) },
    runs: row.runs,
  };
}
