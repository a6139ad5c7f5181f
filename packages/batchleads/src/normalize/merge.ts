// Rows of the same property in one file make one lead. The rule: the later row wins field by field where it
// has a value, and a blank never erases. Lists are unions with the later row's entries first, so its choices
// lead. Compliance is the exception: a DNC mark or a litigator/opt-out flag on any row sticks, because the rows
// of one file are one export (the later row is not newer information) and the safe reading is the strict one.
// Pure and pairwise so a caller can fold rows one at a time with the leads kept on disk.
import type { Lead, LeadAddress, LeadPhone } from "../lead.ts";
import { formatAddress } from "./address.ts";
import { choosePrimary } from "./phones.ts";
import { ALL_DNC_PROBLEM } from "./row.ts";

function hasOwnerName(o: Lead["owner"]): boolean {
  return Boolean(o.firstName || o.lastName || o.companyName);
}

function laterFields<T extends object>(earlier: T | undefined, later: T | undefined): T | undefined {
  if (!earlier) return later;
  if (!later) return earlier;
  const out = { ...earlier } as Record<string, unknown>;
  for (const [k, v] of Object.entries(later)) if (v !== undefined && v !== "") out[k] = v;
  return out as T;
}

function union<T>(later: readonly T[], earlier: readonly T[]): T[] {
  const out = [...later];
  for (const x of earlier) if (!out.includes(x)) out.push(x);
  return out;
}

/** Phones of both rows, the later row's first; ranks renumbered 1..n in that order (rank = call preference). */
function mergePhones(earlier: readonly LeadPhone[], later: readonly LeadPhone[]): LeadPhone[] {
  const byNumber = new Map<string, LeadPhone>();
  for (const p of [...later].sort((a, b) => a.rank - b.rank)) byNumber.set(p.number, { ...p });
  for (const p of [...earlier].sort((a, b) => a.rank - b.rank)) {
    const same = byNumber.get(p.number);
    if (!same) byNumber.set(p.number, { ...p });
    else {
      same.dnc = same.dnc || p.dnc;
      same.type ??= p.type;
    }
  }
  let rank = 0;
  return [...byNumber.values()].map((p) => ({ ...p, rank: ++rank }));
}

/**
 * Two texts of notes: the later one when it carries the earlier (an appended history), else both, so no
 * note written on either row is lost.
 */
function mergeNotes(earlier?: string, later?: string): string | undefined {
  if (!earlier) return later;
  if (!later || later === earlier || earlier.includes(later)) return earlier;
  if (later.includes(earlier)) return later;
  return `${earlier}\n\n${later}`;
}

/** The lead for two rows of one property: `later` is the row further down the file. */
export function mergeLeads(earlier: Lead, later: Lead): Lead {
  const phones = mergePhones(earlier.phones, later.phones);
  const primaryPhone = choosePrimary(phones);
  const problems = union(earlier.problems, later.problems).filter((p) => p !== ALL_DNC_PROBLEM);
  if (phones.length > 0 && !primaryPhone) problems.push(ALL_DNC_PROBLEM);

  const merged: Lead = {
    key: earlier.key,
    rows: union(earlier.rows, later.rows),
    // The owner is one unit: a later real name replaces the earlier one whole (never a mix of both).
    owner: hasOwnerName(later.owner) || !hasOwnerName(earlier.owner) ? later.owner : earlier.owner,
    property: laterFields(earlier.property, later.property)!,
    phones,
    emails: union(later.emails, earlier.emails),
    compliance: {
      litigator: earlier.compliance.litigator || later.compliance.litigator,
      optOut: earlier.compliance.optOut || later.compliance.optOut,
    },
    tags: union(later.tags, earlier.tags),
    facts: { ...earlier.facts, ...later.facts },
    problems,
  };
  const owner2 = later.owner2 ?? earlier.owner2;
  // A mailing address is one unit too: street, city and ZIP of two different addresses must not mix.
  const mailing: LeadAddress | undefined = later.mailing?.address
    ? later.mailing
    : laterFields(earlier.mailing, later.mailing);
  const status = later.status ?? earlier.status;
  const list = later.list ?? earlier.list;
  const notes = mergeNotes(earlier.notes, later.notes);
  if (owner2) merged.owner2 = owner2;
  if (mailing) merged.mailing = mailing;
  if (primaryPhone) merged.primaryPhone = primaryPhone;
  if (status) merged.status = status;
  if (list) merged.list = list;
  if (notes) merged.notes = notes;
  if (mailing) merged.facts.mailingAddress = formatAddress(mailing);
  return merged;
}
