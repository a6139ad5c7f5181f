import path from "node:path";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchDataClient, enrichLeads, leadTraceRequest } from "../src/batchdata/index.ts";
import { isRowError, readExportRows } from "../src/file/read.ts";
import type { Lead } from "../src/lead.ts";
import { normalizeRow } from "../src/normalize/row.ts";

const SAMPLE = path.resolve(import.meta.dirname, "../../../specs/batchleads/sample-export.csv");

async function sampleLeads(): Promise<Lead[]> {
  const leads: Lead[] = [];
  for await (const item of readExportRows(SAMPLE)) {
    if (isRowError(item)) continue;
    const l = normalizeRow(item.values, item.row);
    if (!("reason" in l)) leads.push(l);
  }
  return leads;
}

describe("skip-tracing Leads with BatchData", () => {
  let sb: Sandbox;
  let leads: Lead[];
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, seed: 3 });
    leads = await sampleLeads();
  });
  afterAll(async () => {
    await sb?.close();
  });
  const client = () =>
    new BatchDataClient({ token: sb.info.batchDataToken, baseUrl: `${sb.info.baseUrl}/batchdata` });

  it("asks by APN with county and state where the lead has them, else by address", () => {
    const withApn = leads.find((l) => l.property.apn && l.property.county && l.property.state)!;
    expect(leadTraceRequest(withApn)).toMatchObject({
      apn: withApn.property.apn,
      county: withApn.property.county,
    });
    const { apn: _a, ...noApn } = withApn.property;
    expect(leadTraceRequest({ ...withApn, property: noApn })).toMatchObject({
      propertyAddress: { street: withApn.property.address, zip: withApn.property.zip },
    });
    expect(leadTraceRequest({ ...withApn, property: { address: "1 Main St" } })).toBeUndefined();
  });

  it("traces only phoneless leads by default, 100 per call, and merges what it finds by the phone rule", async () => {
    // Strip the phones of 230 leads: those are the ones worth tracing.
    const input = leads.map((l, i) =>
      i < 230 ? { ...l, phones: [], primaryPhone: undefined } : l,
    ) as Lead[];
    const bd = client();
    const before = sb.requests().length;
    const out = await enrichLeads(input, bd);
    const phoneless = input.filter((l) => l.phones.length === 0).length; // the sample has a few more
    expect(out.matched + out.noMatch + out.skipped).toBe(phoneless);
    expect(out.calls).toBe(Math.ceil((phoneless - out.skipped) / 100));
    const calls = sb
      .requests()
      .slice(before)
      .filter((e) => e.operationId === "batchdata:skip-trace");
    expect(calls).toHaveLength(out.calls);
    expect(out.noMatch).toBeGreaterThan(0);
    out.leads.forEach((l, k) => {
      if (input[k]!.phones.length) expect(l).toBe(input[k]); // leads with phones untouched
    });
    for (const l of out.leads.slice(0, 230)) {
      if (l.problems.includes("skip trace: BatchData found no match")) {
        expect(l.phones).toEqual([]);
        continue;
      }
      expect(l.phones.length).toBeGreaterThan(0);
      expect(l.phones.map((p) => p.rank)).toEqual(l.phones.map((_, i) => 6 + i));
      const callable = l.phones.filter((p) => !p.dnc);
      if (!callable.length) expect(l.primaryPhone).toBeUndefined();
      else {
        const mobile = callable.find((p) => p.type === "mobile");
        expect(l.primaryPhone).toBe((mobile ?? callable[0])!.number);
      }
    }
  });

  it("keeps a lead's own phones first and marks them DNC when BatchData says so", async () => {
    // Trace everything, then trace a lead again holding one of the numbers found, flagged clean.
    const [first] = (await enrichLeads([{ ...leads[0]!, phones: [] }], client())).leads;
    const dncNumber = first!.phones.find((p) => p.dnc)?.number;
    const own = dncNumber ?? first!.phones[0]!.number;
    const lead: Lead = { ...leads[0]!, phones: [{ number: own, dnc: false, rank: 1 }], primaryPhone: own };
    const again = (await enrichLeads([lead], client(), { onlyWithoutPhone: false })).leads[0]!;
    expect(again.phones[0]).toMatchObject({ number: own, rank: 1, dnc: Boolean(dncNumber) });
    expect(again.phones.length).toBe(first!.phones.length);
    if (dncNumber) expect(again.primaryPhone).not.toBe(dncNumber);
  });
});
