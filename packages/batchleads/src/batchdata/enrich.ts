// Skip-tracing Leads with BatchData before they go to HighLevel: one call per 100 leads (the
// client paces calls to 3,000 a minute), the phones and emails found merged into each lead with
// their flags, and the primary phone chosen again by the same rule as for the export's phones.
import { summarizeTrace } from "@hlconnect/catalog/entries/batchdata";
import type { BatchDataClient, SkipTraceRequest } from "@hlconnect/client/batchdata";
import type { Lead, LeadPhone } from "../lead.ts";
import { choosePrimary } from "../normalize/phones.ts";

export interface EnrichResult {
  leads: Lead[];
  matched: number;
  noMatch: number;
  /** Leads not sent: neither an APN with county and state nor a street with ZIP or city and state. */
  skipped: number;
  /** BatchData calls made. */
  calls: number;
}

export interface EnrichOptions {
  /** Only trace leads that have no valid phone yet (default true: tracing is billed per property). */
  onlyWithoutPhone?: boolean;
  defaultCountry?: string;
}

/** BatchData's request for a lead: by APN where the lead has one with county and state, else by address. */
export function leadTraceRequest(lead: Lead): SkipTraceRequest | undefined {
  const p = lead.property;
  const name =
    lead.owner.firstName || lead.owner.lastName
      ? {
          name: {
            ...(lead.owner.firstName ? { first: lead.owner.firstName } : {}),
            ...(lead.owner.lastName ? { last: lead.owner.lastName } : {}),
          },
        }
      : {};
  if (p.apn && p.county && p.state) return { apn: p.apn, county: p.county, state: p.state, ...name };
  if (p.address && (p.zip || (p.city && p.state))) {
    return {
      propertyAddress: {
        street: p.address,
        ...(p.city ? { city: p.city } : {}),
        ...(p.state ? { state: p.state } : {}),
        ...(p.zip ? { zip: p.zip } : {}),
      },
      ...name,
    };
  }
  return undefined;
}

/**
 * The lead with what a trace found: phones after its own (ranks continue after the export's 1..5,
 * TCPA-flagged numbers marked DNC since LeadPhone has one flag), new emails after its own, litigator
 * added to compliance, the primary phone chosen again. A number already on the lead keeps its
 * rank and becomes DNC if BatchData says so.
 */
export function mergeTrace(lead: Lead, trace: ReturnType<typeof summarizeTrace>): Lead {
  const phones: LeadPhone[] = lead.phones.map((p) => ({ ...p }));
  let rank = Math.max(5, ...phones.map((p) => p.rank));
  for (const t of trace.phones) {
    const blocked = t.dnc || t.tcpa;
    const same = phones.find((p) => p.number === t.number);
    if (same) {
      same.dnc ||= blocked;
      same.type ??= t.type;
      continue;
    }
    phones.push({ number: t.number, ...(t.type ? { type: t.type } : {}), dnc: blocked, rank: ++rank });
  }
  const emails = [...lead.emails, ...trace.emails.filter((e) => !lead.emails.includes(e))];
  const primaryPhone = choosePrimary(phones);
  const { primaryPhone: _old, ...rest } = lead;
  return {
    ...rest,
    phones,
    emails,
    ...(primaryPhone ? { primaryPhone } : {}),
    compliance: { ...lead.compliance, litigator: lead.compliance.litigator || trace.litigator },
    problems: trace.matched ? lead.problems : [...lead.problems, "skip trace: BatchData found no match"],
  };
}

/** Skip-trace leads in order; leads not traced come back unchanged. */
export async function enrichLeads(
  leads: readonly Lead[],
  client: BatchDataClient,
  options: EnrichOptions = {},
): Promise<EnrichResult> {
  const onlyWithoutPhone = options.onlyWithoutPhone ?? true;
  const out = [...leads];
  const requests: SkipTraceRequest[] = [];
  const positions: number[] = [];
  let skipped = 0;
  leads.forEach((lead, i) => {
    if (onlyWithoutPhone && lead.phones.length > 0) return;
    const r = leadTraceRequest(lead);
    if (!r) {
      skipped++;
      return;
    }
    requests.push(r);
    positions.push(i);
  });
  const before = client.calls;
  const results = requests.length ? await client.skipTrace(requests) : [];
  let matched = 0;
  for (const result of results) {
    const i = positions[result.index] as number;
    const trace = summarizeTrace(result, options.defaultCountry ?? "US");
    if (trace.matched) matched++;
    out[i] = mergeTrace(out[i] as Lead, trace);
  }
  return { leads: out, matched, noMatch: results.length - matched, skipped, calls: client.calls - before };
}
