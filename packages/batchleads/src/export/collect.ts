// HighLevel -> BatchLeads: the key fields of the BatchLeads contacts (address, owner names, status from
// the pipeline stage, tags, notes) as rows in BatchLeads' import format, only those that changed since
// the last export. Reads: the contacts (100 a page), the pipelines once, the opportunities (100 a page,
// not one call per contact), and the notes of each contact considered.
import { createHash } from "node:crypto";
import { type BatchLeadsImportRow, contactToImportRow } from "@hlconnect/catalog/entries/batchdata";
import type { HighLevelClient } from "@hlconnect/client";

/** What was last exported, per contact: a hash of its row. Kept between runs (a small JSON file). */
export interface ExportState {
  version: 1;
  rows: Record<string, string>;
  lastRunAt?: string;
}

export interface CollectOptions {
  locationId: string;
  /** Only contacts with this tag (default "batchleads", the import's tag; "" for every contact). */
  tag?: string;
  /**
   * Only contacts changed at or after this time (epoch ms): contact updates and opportunity moves.
   * A note added to an otherwise unchanged contact is seen by a run without `since`.
   */
  since?: number;
  /** The pipeline whose stage is the lead status (default: any pipeline, the latest moved opportunity). */
  pipelineId?: string;
  /** Stage name -> BatchLeads status, where they differ ("Appointment Set" -> "Hot"). */
  statusByStage?: Record<string, string>;
  /** Read each contact's notes for the Notes column (default true; one call per contact). */
  includeNotes?: boolean;
  /** Tags not sent back (default ["batchleads"]). */
  excludeTags?: string[];
  state?: ExportState;
  now?: () => number;
}

export interface CollectResult {
  rows: Array<BatchLeadsImportRow & { contactId: string }>;
  /** Contacts looked at. */
  read: number;
  unchanged: number;
  skipped: Array<{ contactId: string; reason: string }>;
  state: ExportState;
}

type Rec = Record<string, unknown>;
const time = (v: unknown) =>
  typeof v === "string" || typeof v === "number" ? new Date(v).getTime() : Number.NaN;

export function emptyState(): ExportState {
  return { version: 1, rows: {} };
}

function rowHash(row: BatchLeadsImportRow): string {
  return createHash("sha256").update(JSON.stringify(row)).digest("hex").slice(0, 24);
}

/** contactId -> status, from the most recently moved opportunity of each contact. */
async function statusByContact(client: HighLevelClient, o: CollectOptions, since: number | undefined) {
  const pipelines = (await client.call("get-pipelines", { locationId: o.locationId })) as {
    pipelines?: Array<{ id: string; stages?: Array<{ id: string; name: string }> }>;
  };
  const stageName = new Map<string, string>();
  for (const p of pipelines.pipelines ?? []) for (const s of p.stages ?? []) stageName.set(s.id, s.name);
  const latest = new Map<string, { at: number; status: string }>();
  const movedSince = new Set<string>();
  const params: Rec = {
    location_id: o.locationId,
    limit: 100,
    ...(o.pipelineId ? { pipeline_id: o.pipelineId } : {}),
  };
  for await (const item of client.paginate("search-opportunity", params as never)) {
    const opp = item as Rec;
    const contactId = String(opp.contactId ?? (opp.contact as Rec | undefined)?.id ?? "");
    const name = stageName.get(String(opp.pipelineStageId ?? ""));
    if (!contactId || !name) continue;
    const at = Math.max(time(opp.lastStageChangeAt) || 0, time(opp.updatedAt) || 0, time(opp.createdAt) || 0);
    if (since !== undefined && at >= since) movedSince.add(contactId);
    const prev = latest.get(contactId);
    if (!prev || at > prev.at) latest.set(contactId, { at, status: o.statusByStage?.[name] ?? name });
  }
  return { status: new Map([...latest].map(([k, v]) => [k, v.status])), movedSince };
}

async function notesOf(client: HighLevelClient, contactId: string): Promise<string> {
  const r = (await client.call("get-all-notes", { contactId })) as {
    notes?: Array<{ body?: string; dateAdded?: string }>;
  };
  return (r.notes ?? [])
    .filter((n) => typeof n.body === "string" && n.body.trim())
    .sort((a, b) => (time(b.dateAdded) || 0) - (time(a.dateAdded) || 0))
    .map((n) => (n.body as string).trim())
    .join("\n\n");
}

/** The rows BatchLeads should import now, and the state to keep for next time. */
export async function collectLeadUpdates(client: HighLevelClient, o: CollectOptions): Promise<CollectResult> {
  const tag = o.tag ?? "batchleads";
  const since = o.since;
  const previous = o.state ?? emptyState();
  const state: ExportState = { version: 1, rows: { ...previous.rows } };
  const { status, movedSince } = await statusByContact(client, o, since);
  const body: Rec = {
    locationId: o.locationId,
    pageLimit: 100,
    sort: [{ field: "dateUpdated", direction: "desc" }],
    ...(tag ? { filters: [{ field: "tags", operator: "contains", value: tag }] } : {}),
  };
  const result: CollectResult = { rows: [], read: 0, unchanged: 0, skipped: [], state };
  for await (const item of client.paginate("search-contacts-advanced", undefined, body as never)) {
    const c = item as Rec;
    const id = String(c.id);
    if (since !== undefined && !(time(c.dateUpdated) >= since) && !movedSince.has(id)) {
      // Newest first: once past `since`, only opportunities moved since can still bring a contact in.
      if (movedSince.size === 0) break;
      continue;
    }
    result.read++;
    const notes = o.includeNotes === false ? undefined : await notesOf(client, id);
    const row = contactToImportRow(c, {
      ...(status.has(id) ? { status: status.get(id) as string } : {}),
      ...(notes ? { notes } : {}),
      ...(o.excludeTags ? { excludeTags: o.excludeTags } : {}),
    });
    if (!row["Property Address"]) {
      result.skipped.push({
        contactId: id,
        reason: "no property address: BatchLeads matches imported rows by it",
      });
      continue;
    }
    const hash = rowHash(row);
    if (previous.rows[id] === hash) {
      result.unchanged++;
      continue;
    }
    state.rows[id] = hash;
    result.rows.push({ ...row, contactId: id });
  }
  state.lastRunAt = new Date((o.now ?? Date.now)()).toISOString();
  return result;
}
