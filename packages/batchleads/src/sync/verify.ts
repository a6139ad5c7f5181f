// Does HighLevel still hold what the state remembers? A cheap sample at the start of every run (one
// search for a few remembered contacts), and with --verify every contact of the file, read 100 to a
// search call: the missing ones are forgotten (so this run creates them again), and fields that differ
// from what the import last wrote are reported as changed by hand. They are not written back: the
// import writes a field only when the export's value for it changes.
import type { ContactSeen, ImportApi } from "./api.ts";
import type { SyncState } from "./state.ts";

/** Contacts per search call: HighLevel's search takes up to 100 ids in one `eq` filter page. */
const PAGE = 100;
const SAMPLE = 10;

export interface HandChange {
  key: string;
  contactId: string;
  fields: Array<{ field: string; wrote: unknown; now: unknown }>;
}

export interface VerifyResult {
  /** Remembered contacts looked for. */
  checked: number;
  /** Of those, gone from HighLevel: created again by this run. */
  missing: number;
  handChanged: HandChange[];
  calls: number;
}

async function readContacts(api: ImportApi, ids: string[]): Promise<Map<string, ContactSeen>> {
  const found = await api.searchContacts([{ field: "id", operator: "eq", value: ids }], ids.length);
  return new Map(found.map((c) => [c.id, c]));
}

/** A few remembered contacts of this account: how many of them HighLevel no longer has. */
export async function sampleRemembered(
  state: SyncState,
  api: ImportApi,
  scope: string,
): Promise<{ checked: number; missing: number }> {
  const sample = state.sampleContacts(scope, SAMPLE);
  if (!sample.length) return { checked: 0, missing: 0 };
  const ids = [...new Set(sample.map((s) => s.contactId))];
  const seen = await readContacts(api, ids);
  return { checked: ids.length, missing: ids.filter((id) => !seen.has(id)).length };
}

const STANDARD = ["firstName", "lastName", "address1", "city", "state", "postalCode", "email", "phone"];

function same(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) =>
    v === undefined || v === null ? "" : typeof v === "string" ? v.trim().toLowerCase() : JSON.stringify(v);
  return norm(a) === norm(b);
}

/** Every remembered contact of the import's staged leads, checked against HighLevel. */
export async function verifyImport(
  state: SyncState,
  api: ImportApi,
  scope: string,
  importId: string,
): Promise<VerifyResult> {
  const result: VerifyResult = { checked: 0, missing: 0, handChanged: [], calls: 0 };
  const callsBefore = api.calls.total;
  let fieldIds: Map<string, string> | undefined;
  let after = 0;
  // Leads of one owner share a contact: each contact is read once.
  const checked = new Set<string>();
  for (;;) {
    const page = state.nextStaged(importId, after, PAGE);
    if (!page.length) break;
    after = page[page.length - 1]!.seq;
    const remembered = state
      .writtenContacts(
        scope,
        page.map((p) => p.lead.key),
      )
      .filter((r) => !checked.has(r.contactId));
    const ids = [...new Set(remembered.map((r) => r.contactId))];
    if (!ids.length) continue;
    for (const id of ids) checked.add(id);
    const seen = await readContacts(api, ids);
    result.checked += ids.length;
    for (const id of ids) {
      if (!seen.has(id)) {
        result.missing++;
        state.forgetContact(scope, id);
      }
    }
    for (const r of remembered) {
      const contact = seen.get(r.contactId);
      const w = state.getWritten(scope, r.key);
      if (!contact || !w?.asWritten || w.role === "joined") continue;
      fieldIds ??= new Map((await api.listCustomFields()).map((f) => [f.name.trim().toLowerCase(), f.id]));
      const changes: HandChange["fields"] = [];
      for (const [name, wrote] of Object.entries(w.asWritten)) {
        let now: unknown;
        if (name.startsWith("cf:")) {
          const id = fieldIds.get(name.slice(3).trim().toLowerCase());
          if (!id) continue;
          now = contact.customFields[id];
        } else if (STANDARD.includes(name)) now = contact.fields[name];
        else continue;
        if (typeof wrote === "number" && Number(now) === wrote) continue;
        if (typeof wrote === "boolean" && String(now).toLowerCase() === (wrote ? "yes" : "no")) continue;
        if (!same(wrote, now)) changes.push({ field: name.replace(/^cf:/, ""), wrote, now: now ?? null });
      }
      if (changes.length) result.handChanged.push({ key: r.key, contactId: r.contactId, fields: changes });
    }
  }
  result.calls = api.calls.total - callsBefore;
  return result;
}
