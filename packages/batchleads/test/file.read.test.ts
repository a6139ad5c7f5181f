import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPORT_COLUMNS, headerKey } from "../src/file/columns.ts";
import { ExportFileError, type ExportItem, isRowError, readExportRows } from "../src/file/read.ts";
import { sniffDelimiter } from "../src/file/sniff.ts";
import type { Lead } from "../src/lead.ts";
import { readLeads, SAMPLE_HEADER, withoutRows, writeExport, writeMessyExport } from "./fixtures/messy.ts";

const SAMPLE = fileURLToPath(new URL("../../../specs/batchleads/sample-export.csv", import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bl-read-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function all(path: string, opts?: Parameters<typeof readExportRows>[1]): Promise<ExportItem[]> {
  const out: ExportItem[] = [];
  for await (const item of readExportRows(path, opts)) out.push(item);
  return out;
}

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** The sample's rows as objects keyed by its header, for re-writing it in other layouts. */
function sampleRows(): Record<string, string>[] {
  const records = parse(readFileSync(SAMPLE), { columns: false }) as string[][];
  const [header, ...rows] = records;
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ""])));
}

function same(a: Map<string, Lead>, b: Map<string, Lead>): void {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [key, lead] of a) expect(withoutRows(b.get(key)), key).toEqual(withoutRows(lead));
}

describe("reading the sample export", () => {
  it("reads 300 rows keyed by the 95 canonical column names, numbered from 1", async () => {
    const items = await all(SAMPLE);
    expect(items).toHaveLength(300);
    expect(items.some(isRowError)).toBe(false);
    expect(items.map((i) => i.row)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const first = items[0] as { values: Record<string, string> };
    expect(Object.keys(first.values)).toEqual([...EXPORT_COLUMNS]);
    expect(first.values).toMatchObject({
      "Lead Status": "Follow Up",
      "First Name": "Mary",
      "Property Address": "6568 Hillcrest Rd",
      "Phone 3 TYPE": "Mobile",
      List: "High Equity Phoenix",
    });
    // A quoted field with a comma comes through whole.
    expect((items[2] as { values: Record<string, string> }).values.Notes).toBe(
      "Wants cash offer, roof needs work",
    );
  });

  it("the canonical names are the sample's header, and no two of them compare equal", () => {
    expect([...EXPORT_COLUMNS]).toEqual([...SAMPLE_HEADER]);
    expect(new Set(EXPORT_COLUMNS.map(headerKey)).size).toBe(EXPORT_COLUMNS.length);
  });

  it("reports progress up to the file size", async () => {
    const calls: [number, number][] = [];
    await all(SAMPLE, { onProgress: (read, total) => calls.push([read, total]) });
    const size = readFileSync(SAMPLE).length;
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.at(-1)).toEqual([size, size]);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
  });
});

describe("CSV variants give the same leads", () => {
  let base: Map<string, Lead>;
  beforeAll(async () => {
    base = (await readLeads(SAMPLE)).leads;
    expect(base.size).toBe(300);
  });

  it.each([
    ["tab-delimited", { format: "tsv" as const }],
    ["UTF-8 BOM", { bom: true }],
    ["CRLF line ends", { crlf: true }],
    [
      "every field quoted, BOM, CRLF, tabs",
      { format: "tsv" as const, bom: true, crlf: true, quoteAll: true },
    ],
    ["drifted header spellings", { headerDrift: true }],
  ])("%s", async (name, opts) => {
    const path = join(dir, `sample-${name.replace(/\W+/g, "-")}.txt`);
    await writeExport(path, [...SAMPLE_HEADER], sampleRows(), { headerDrift: false, ...opts });
    const { leads, errors, rejected } = await readLeads(path);
    expect(errors).toEqual([]);
    expect(rejected).toEqual([]);
    same(base, leads);
  });

  it("generated messy files: quoted line breaks and quotes survive, in CSV, TSV+BOM+CRLF and quoted", async () => {
    const opts = { rows: 1500, seed: 42 };
    const csv = join(dir, "messy.csv");
    const tsv = join(dir, "messy.tsv");
    const stats = await writeMessyExport(csv, opts);
    await writeMessyExport(tsv, { ...opts, format: "tsv", bom: true, crlf: true, quoteAll: true });
    const a = await readLeads(csv);
    const b = await readLeads(tsv);
    expect(a.errors).toEqual([]);
    expect(a.leads.size).toBe(stats.properties);
    expect(a.rejected).toHaveLength(stats.keyless);
    same(a.leads, b.leads);
    const notes = [...a.leads.values()].map((l) => l.notes ?? "");
    expect(notes).toContain("Called twice\nno answer, try evenings");
    // CRLF inside a quoted note reads as \n whatever the file's own line ends.
    expect(notes.some((n) => n.startsWith('Offer: $150,000 cash, "as is"\nclose in 30 days'))).toBe(true);
  });

  it("an unterminated quote costs its own row only: an error item with its row number and text", async () => {
    const clean = join(dir, "clean.csv");
    const broken = join(dir, "broken.csv");
    const opts = { rows: 1200, seed: 5, crlf: true };
    await writeMessyExport(clean, opts);
    const stats = await writeMessyExport(broken, { ...opts, brokenEvery: 400 });
    expect(stats.broken).toBe(3);
    const a = await readLeads(clean);
    const b = await readLeads(broken);
    same(a.leads, b.leads);
    expect(b.errors.map((e) => e.row)).toEqual([401, 802, 1203]);
    for (const e of b.errors) {
      expect(e.error).toMatch(/unterminated or stray quote/);
      expect(e.raw).toMatch(/^Hot,Broken,"Row with an unterminated quote/);
    }
  });

  it("rows after a malformed one are read with their numbers; a quote inside a bare field is kept", async () => {
    const text = [
      "Property Address,Property Zip,Notes,Apn",
      "1 Main St,77002,ok,",
      '2 Main St,77002,"unterminated,',
      "3 Main St,77002,fine,",
      '4 Main St,77002,6" pipe leaks,',
      "5 Main St,77002,x,,,,extra,cells",
      '6 Main St,77002,"multi',
      'line ""quoted""",',
      "",
      "7 Main St,77002,last,",
    ].join("\n");
    const items = await all(file("hand.csv", text));
    expect(items).toEqual([
      { row: 1, values: { "Property Address": "1 Main St", "Property Zip": "77002", Notes: "ok", Apn: "" } },
      {
        row: 2,
        error: "malformed row: a quoted field is not closed properly (unterminated or stray quote)",
        raw: '2 Main St,77002,"unterminated,',
      },
      {
        row: 3,
        values: { "Property Address": "3 Main St", "Property Zip": "77002", Notes: "fine", Apn: "" },
      },
      {
        row: 4,
        values: { "Property Address": "4 Main St", "Property Zip": "77002", Notes: '6" pipe leaks', Apn: "" },
      },
      {
        row: 5,
        error: 'row has 8 cells but the header has 4 columns (an unquoted ","?)',
        raw: "5 Main St,77002,x,,,,extra,cells",
      },
      {
        row: 6,
        values: {
          "Property Address": "6 Main St",
          "Property Zip": "77002",
          Notes: 'multi\nline "quoted"',
          Apn: "",
        },
      },
      {
        // The blank line before it counts, as a spreadsheet shows it.
        row: 8,
        values: { "Property Address": "7 Main St", "Property Zip": "77002", Notes: "last", Apn: "" },
      },
    ]);
  });

  it("an unterminated quote on the last row ends the file with an error item", async () => {
    const items = await all(file("last.csv", 'Apn,Notes\n1,a\n2,"never closed'));
    expect(items).toEqual([
      { row: 1, values: { Apn: "1", Notes: "a" } },
      { row: 2, error: expect.stringMatching(/unterminated/), raw: '2,"never closed' },
    ]);
  });
});

describe("headers", () => {
  it("match case-insensitively and trimmed, accept drift, keep extra columns, allow missing ones", async () => {
    const text =
      " PROPERTY ADDRESS ,property zip,Foreclosure Recording Date,Opt Out,phone 1 type,My Column\n1 Main St,77002,01-02-2024,Yes,Mobile,mine\n";
    const [item] = await all(file("drift.csv", text));
    expect(item).toEqual({
      row: 1,
      values: {
        "Property Address": "1 Main St",
        "Property Zip": "77002",
        "Foreclosure Loan Recording Date": "01-02-2024",
        "Opt-Out": "Yes",
        "Phone 1 TYPE": "Mobile",
        "My Column": "mine",
      },
    });
  });

  it("the mapping's column aliases extend the known names", async () => {
    const path = file("alias.csv", "Site Address,Site Zip,Cell\n9 Elm St,02134,7135551234\n");
    const mapping = {
      columns: { "property address": ["Site Address"], "Property Zip": ["Site Zip"], "Phone 1": ["Cell"] },
    };
    const [item] = await all(path, { mapping });
    expect(item).toEqual({
      row: 1,
      values: { "Property Address": "9 Elm St", "Property Zip": "02134", "Phone 1": "7135551234" },
    });
  });

  it("sniffs the delimiter from the header line", () => {
    expect(sniffDelimiter("a,b,c\n1\t2\t3\t4\t5")).toBe(",");
    expect(sniffDelimiter("\uFEFFa\tb\tc, d\n")).toBe("\t");
    expect(sniffDelimiter('"a,b"\tc\td\n')).toBe("\t");
    expect(sniffDelimiter("a;b;c\n")).toBe(";");
    expect(sniffDelimiter("\r\n\r\na\tb\n")).toBe("\t");
  });
});

describe("unreadable files throw a clear error naming the file", () => {
  it.each([
    ["missing", () => join(dir, "nope.csv"), /nope\.csv: no such file/],
    ["empty", () => file("empty.csv", ""), /empty\.csv: is empty: no header row/],
    ["blank lines only", () => file("blank.csv", "\n\n\r\n"), /blank\.csv: has no header row/],
    ["a folder", () => dir, /is a folder/],
    [
      "binary",
      () => file("img.csv", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d])),
      /not a CSV or XLSX/,
    ],
    [
      "old .xls",
      () => file("old.xls", Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])),
      /\.xls workbook/,
    ],
    ["UTF-16", () => file("u16.csv", Buffer.from("\uFEFFApn,Notes\n", "utf16le")), /UTF-16/],
    ["text named .xlsx", () => file("fake.xlsx", "Apn,Notes\n1,2\n"), /fake\.xlsx: .*not an XLSX/],
    [
      "broken zip",
      () => file("bad.xlsx", Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(64, 7)])),
      /bad\.xlsx: cannot be read as an XLSX/,
    ],
    [
      "no header row",
      () => file("nohead.csv", "Follow Up,Mary,Williams\nNew,John,Smith\n"),
      /nohead\.csv: has no BatchLeads header row.*Follow Up, Mary/,
    ],
    [
      "malformed header",
      () => file("badhead.csv", 'Apn,"Notes\n'),
      /badhead\.csv: the header row cannot be read/,
    ],
  ])("%s", async (_name, make, message) => {
    const path = make();
    const err = await all(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExportFileError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message.startsWith(path)).toBe(true);
  });
});
