// A small document repository over the `records` table. Listing returns whole collections
// (sorted by sort key, then insertion order, i.e. rowid) and pagination is done by the
// resources, which keeps each pagination style's rules in one readable place.
import type { Db } from "./db.ts";

export interface RecordPlacement {
  locationId?: string | null;
  parentId?: string | null;
  /** Sort key, usually the creation time in epoch ms. */
  sortMs?: number;
}

interface Row {
  doc: string;
}

export class Records {
  constructor(private readonly db: Db) {}

  insert<T extends { id: string }>(kind: string, doc: T, at: RecordPlacement = {}): T {
    this.db
      .prepare(
        "INSERT INTO records (kind, id, location_id, parent_id, sort_ms, doc) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(kind, doc.id, at.locationId ?? null, at.parentId ?? null, at.sortMs ?? 0, JSON.stringify(doc));
    return doc;
  }

  get<T>(kind: string, id: string): T | undefined {
    const row = this.db.prepare("SELECT doc FROM records WHERE kind = ? AND id = ?").get(kind, id) as
      | Row
      | undefined;
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  /** Replace a document; `sortMs` moves it in its collection's order (e.g. a conversation's last message). */
  update<T extends { id: string }>(kind: string, doc: T, sortMs?: number): T {
    if (sortMs === undefined) {
      this.db
        .prepare("UPDATE records SET doc = ? WHERE kind = ? AND id = ?")
        .run(JSON.stringify(doc), kind, doc.id);
    } else {
      this.db
        .prepare("UPDATE records SET doc = ?, sort_ms = ? WHERE kind = ? AND id = ?")
        .run(JSON.stringify(doc), sortMs, kind, doc.id);
    }
    return doc;
  }

  delete(kind: string, id: string): boolean {
    return this.db.prepare("DELETE FROM records WHERE kind = ? AND id = ?").run(kind, id).changes > 0;
  }

  deleteChildren(kind: string, parentId: string): void {
    this.db.prepare("DELETE FROM records WHERE kind = ? AND parent_id = ?").run(kind, parentId);
  }

  list<T>(kind: string, where: { locationId?: string; parentId?: string } = {}): T[] {
    const clauses = ["kind = ?"];
    const args: unknown[] = [kind];
    if (where.locationId !== undefined) {
      clauses.push("location_id = ?");
      args.push(where.locationId);
    }
    if (where.parentId !== undefined) {
      clauses.push("parent_id = ?");
      args.push(where.parentId);
    }
    const rows = this.db
      .prepare(`SELECT doc FROM records WHERE ${clauses.join(" AND ")} ORDER BY sort_ms, rowid`)
      .all(...args) as Row[];
    return rows.map((r) => JSON.parse(r.doc) as T);
  }
}
