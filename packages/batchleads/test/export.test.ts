import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { HighLevelClient } from "@hlconnect/client";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvField, ExportStateError, exportLeadUpdates, toCsv } from "../src/export/index.ts";
import { isRowError, readExportRows } from "../src/file/read.ts";
import type { Lead } from "../src/lead.ts";
import { normalizeRow } from "../src/normalize/row.ts";

describe("CSV for BatchLeads' importer", () => {
  it("quotes commas, quotes, line breaks and edge spaces, and ends lines with CRLF", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvField(" padded")).toBe('" padded"');
    expect(toCsv(["A", "B"], [{ A: "1" }, { B: "x,y" }])).toBe('A,B\r\n1,\r\n,"x,y"\r\n');
  });
});

describe("HighLevel changes back to BatchLeads", () => {
  let sb: Sandbox;
  let client: HighLevelClient;
  let dir: string;
  let stages: Array<{ id: string; name: string }>;
  let pipelineId: string;
  const ids: string[] = [];

  const call = <T>(key: string, params?: Record<string, unknown>, body?: Record<string, unknown>) =>
    client.call(key as never, params as never, body as never) as Promise<T>;

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, seed: 21, rateLimit: { max: 100_000, windowMs: 1000 } });
    client = new HighLevelClient({
      credentials: sb.info.locationToken,
      baseUrl: sb.info.baseUrl,
      locationId: sb.info.locationId,
    });
    dir = mkdtempSync(path.join(tmpdir(), "bl-export-"));
    const loc = sb.info.locationId;
    const people = [
      {
        firstName: "Mary",
        lastName: "Williams",
        address1: "6568 Hillcrest Rd",
        city: "Orlando",
        state: "FL",
        postalCode: "32819",
        tags: ["batchleads", "pre-foreclosure", "high equity"],
      },
      {
        companyName: "Sunrise Properties LLC",
        address1: "10 Elm St",
        city: "Houston",
        state: "TX",
        postalCode: "77002",
        tags: ["batchleads"],
      },
      { firstName: "No", lastName: "Address", tags: ["batchleads"] },
      {
        firstName: "Not",
        lastName: "Batchleads",
        address1: "1 Other St",
        postalCode: "77002",
        tags: ["website"],
      },
    ];
    for (const p of people)
      ids.push(
        (await call<{ contact: { id: string } }>("create-contact", undefined, { locationId: loc, ...p }))
          .contact.id,
      );
    await call("create-note", { contactId: ids[0] }, { body: 'Owner said "call after 5", prefers text' });
    const { pipelines } = await call<{
      pipelines: Array<{ id: string; stages: Array<{ id: string; name: string }> }>;
    }>("get-pipelines", { locationId: loc });
    pipelineId = pipelines[0]!.id;
    stages = pipelines[0]!.stages;
    await call("create-opportunity", undefined, {
      locationId: loc,
      pipelineId,
      pipelineStageId: stages[1]!.id,
      contactId: ids[0],
      name: "6568 Hillcrest Rd",
      status: "open",
    });
  });
  afterAll(async () => {
    await sb?.close();
  });

  it("writes the BatchLeads contacts as import rows the export reader reads back, and skips what BatchLeads cannot match", async () => {
    const file = path.join(dir, "updates.csv");
    const stateFile = path.join(dir, "state.json");
    const before = sb.requests().length;
    const out = await exportLeadUpdates(client, {
      locationId: sb.info.locationId,
      file,
      stateFile,
      statusByStage: { [stages[1]!.name]: "Hot" },
    });
    const sent = sb
      .requests()
      .slice(before)
      .map((e) => e.operationId);
    // pipelines once, opportunities and contacts by the page, notes per BatchLeads contact.
    expect(sent.filter((o) => o === "get-pipelines")).toHaveLength(1);
    expect(sent.filter((o) => o === "search-opportunity")).toHaveLength(1);
    // The client reads one more (empty) search page: a short page is never trusted to be the last.
    expect(sent.filter((o) => o === "search-contacts-advanced")).toHaveLength(2);
    expect(sent.filter((o) => o === "get-all-notes")).toHaveLength(3);
    expect(out).toMatchObject({ read: 3, unchanged: 0, file });
    expect(out.skipped).toEqual([
      { contactId: ids[2], reason: expect.stringMatching(/no property address/) },
    ]);
    expect(out.rows.map((r) => r.contactId).sort()).toEqual([ids[0], ids[1]].sort());

    const text = readFileSync(file, "utf8");
    expect(text.split("\r\n")[0]).toBe(
      "Property Address,Property City,Property State,Property Zip,First Name,Last Name,Lead Status,Tag Names,Notes",
    );
    const leads: Lead[] = [];
    for await (const item of readExportRows(file)) {
      if (isRowError(item)) throw new Error(item.error);
      const l = normalizeRow(item.values, item.row);
      if ("reason" in l) throw new Error(l.reason);
      leads.push(l);
    }
    const mary = leads.find((l) => l.owner.firstName === "Mary")!;
    expect(mary).toMatchObject({
      status: "Hot",
      tags: ["pre-foreclosure", "high equity"],
      notes: 'Owner said "call after 5", prefers text',
      property: { address: "6568 Hillcrest Rd", city: "Orlando", state: "FL", zip: "32819" },
    });
    const llc = leads.find((l) => l.owner.companyName)!;
    expect(llc.owner).toMatchObject({ companyName: "Sunrise Properties LLC" });
    expect(llc.status).toBeUndefined();
  });

  it("exports only what changed since the last run", async () => {
    const file = path.join(dir, "second.csv");
    const stateFile = path.join(dir, "state.json");
    const again = await exportLeadUpdates(client, {
      locationId: sb.info.locationId,
      file,
      stateFile,
      statusByStage: { [stages[1]!.name]: "Hot" },
    });
    expect(again).toMatchObject({ read: 3, unchanged: 2, rows: [] });
    expect(existsSync(file)).toBe(false);

    await call("add-tags", { contactId: ids[1] }, { tags: ["vacant"] });
    const third = await exportLeadUpdates(client, {
      locationId: sb.info.locationId,
      file,
      stateFile,
      statusByStage: { [stages[1]!.name]: "Hot" },
    });
    expect(third.rows.map((r) => [r.contactId, r["Tag Names"]])).toEqual([[ids[1], "vacant"]]);

    // `since` narrows to contacts updated (or opportunities moved) since then.
    const later = Date.now() + 60_000;
    const none = await exportLeadUpdates(client, {
      locationId: sb.info.locationId,
      file: path.join(dir, "x.csv"),
      since: later,
    });
    expect(none.read).toBe(0);
  });

  it("refuses a damaged state file instead of exporting everything again silently", async () => {
    const stateFile = path.join(dir, "broken.json");
    writeFileSync(stateFile, "{not json");
    await expect(
      exportLeadUpdates(client, { locationId: sb.info.locationId, file: path.join(dir, "y.csv"), stateFile }),
    ).rejects.toThrow(ExportStateError);
    expect(readFileSync(stateFile, "utf8")).toBe("{not json");
  });
});
