// Messy BatchLeads exports, as users have them, through `hlconnect import batchleads FILE --dry-run --json
// --report R` (the command's own code, in-process): every fixture is generated here, one per kind of mess.
// Each must give counts that keep every good row, and a message naming the row and the column (in the
// --report lines and the summary's warnings) or the file, never a crash or a stack.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { crc32 } from "node:zlib";
import { isRejected } from "@hlconnect/batchleads/normalize/row";
import { readLeads } from "@hlconnect/batchleads/sync/source";
import ExcelJS from "exceljs";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Lead } from "../../batchleads/src/lead.ts";
import { CliError } from "../src/cli/errors.ts";
import { importBatchLeads } from "../src/cli/import.ts";

const BIN = path.resolve(import.meta.dirname, "../bin/hlconnect.mjs");
const HEADER = [
  "Lead Status",
  "First Name",
  "Last Name",
  "Property Address",
  "Property City",
  "Property State",
  "Property Zip",
  "Property County",
  "Apn",
  "Email",
  "Phone 1",
  "Phone 1 DNC",
  "Phone 1 TYPE",
  "Phone 2",
  "Phone 2 DNC",
  "Notes",
  "Last Sale Date",
  "Tag Names",
  "List",
  "Litigator",
  "Opt-Out",
];

type Row = Record<string, string>;

/** A clean row for property `i`; `over` replaces values. */
function row(i: number, over: Row = {}): Row {
  return {
    "Lead Status": "New",
    "First Name": `Owner${i}`,
    "Last Name": "Smith",
    "Property Address": `${100 + i} Main St`,
    "Property City": "Houston",
    "Property State": "TX",
    "Property Zip": "77024",
    "Property County": "Harris",
    Apn: `100-${1000 + i}`,
    Email: `owner${i}@example.com`,
    "Phone 1": `71355${String(10000 + i).slice(-5)}`,
    "Phone 1 DNC": "No",
    "Phone 1 TYPE": "Mobile",
    "Phone 2": "",
    "Phone 2 DNC": "",
    Notes: "",
    "Last Sale Date": "02-08-2026",
    "Tag Names": "vacant, absentee",
    List: "Tired Landlords",
    Litigator: "No",
    "Opt-Out": "No",
    ...over,
  };
}

/** One data line: `r`'s values in HEADER order, quoted where needed, then `extra` cells. */
function line(r: Row, ...extra: string[]): string {
  return [...HEADER.map((h) => cell(r[h] ?? "", ",", false)), ...extra].join(",");
}

function cell(v: string, delimiter: string, quoteAll: boolean): string {
  return quoteAll || v.includes(delimiter) || /["\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** A CSV text: the header and rows (by column name), with the file's quirks. */
function csv(
  rows: Row[],
  o: { header?: string[]; delimiter?: string; eol?: string; bom?: boolean; quoteAll?: boolean } = {},
): string {
  const header = o.header ?? HEADER;
  const d = o.delimiter ?? ",";
  const lines = [
    header.map((h) => cell(h, d, false)).join(d),
    ...rows.map((r) => HEADER.map((h) => cell(r[h] ?? "", d, o.quoteAll ?? false)).join(d)),
  ];
  return `${o.bom ? "\uFEFF" : ""}${lines.join(o.eol ?? "\n")}${o.eol ?? "\n"}`;
}

interface Summary {
  rowsRead: number;
  leads: number;
  rowsRejected: number;
  contacts: { created: number };
  warnings: string[];
}
interface ReportLine {
  row: number;
  outcome: string;
  skipped: Array<{ what: string; why: string }>;
}

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "hl-import-messy-"));
});
afterEach(() => {
  vi.restoreAllMocks();
});

function fixture(name: string, content: string | Buffer): string {
  const file = path.join(dir, `${++n}-${name}`);
  writeFileSync(file, content);
  return file;
}

/** The command's dry run on `file`: its JSON summary, its report lines and its rejected rows file. */
async function dryRun(
  file: string,
): Promise<{ summary: Summary; report: ReportLine[]; rejected: string; rows: Map<number, ReportLine> }> {
  const report = `${file}.report.jsonl`;
  const rejected = `${file}.rejected.csv`;
  let out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    await importBatchLeads(file, { dryRun: true, json: true, report, rejected });
  } finally {
    vi.restoreAllMocks();
  }
  const summary = JSON.parse(out.trim().split("\n").at(-1)!) as Summary;
  const lines = readFileSync(report, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ReportLine);
  return {
    summary,
    report: lines,
    rejected: existsSync(rejected) ? readFileSync(rejected, "utf8") : "",
    rows: new Map(lines.map((l) => [l.row, l])),
  };
}

/** The command's refusal of a file: its message and exit code (never a crash). */
async function refused(file: string): Promise<CliError> {
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    await importBatchLeads(file, { dryRun: true, json: true });
  } catch (err) {
    if (err instanceof CliError) return err;
    throw new Error(`not a CliError: ${(err as Error).stack}`);
  } finally {
    vi.restoreAllMocks();
  }
  throw new Error("the file was not refused");
}

async function leadsOf(file: string): Promise<Lead[]> {
  const out: Lead[] = [];
  for await (const item of readLeads(file, {})) if (!isRejected(item)) out.push(item);
  return out;
}

/** A zip archive holding one stored file (what `zip` makes of a text file). */
function zipOf(name: string, text: string): Buffer {
  const data = Buffer.from(text);
  const fileName = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(10, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + fileName.length, 12);
  end.writeUInt32LE(30 + fileName.length + data.length, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

const why = (line: ReportLine | undefined) => (line?.skipped ?? []).map((s) => s.why).join(" | ");

describe("messy exports: encodings, delimiters, line ends", () => {
  it("UTF-8 BOM with CRLF line ends: the first column is still Lead Status", async () => {
    const file = fixture(
      "bom.csv",
      csv([row(1, { "Lead Status": "Hot" }), row(2)], { bom: true, eol: "\r\n" }),
    );
    const r = await dryRun(file);
    expect(r.summary).toMatchObject({ rowsRead: 2, leads: 2, rowsRejected: 0 });
    const leads = await leadsOf(file);
    expect(leads[0]!.status).toBe("Hot");
    expect(leads[1]!.notes).toBeUndefined();
  });

  it("Windows-1252 bytes (Excel's CSV on Windows) are read as such, with a notice", async () => {
    const text = csv([row(1, { "First Name": "José", Notes: "Café – “big” lot" }), row(2)]);
    // Latin-1 for é, and Windows-1252's own bytes for the dash and curly quotes.
    const bytes = Buffer.from(
      text.replace("–", "\u0096").replace("“", "\u0093").replace("”", "\u0094"),
      "latin1",
    );
    const file = fixture("cp1252.csv", bytes);
    const r = await dryRun(file);
    expect(r.summary).toMatchObject({ rowsRead: 2, leads: 2, rowsRejected: 0 });
    expect(r.summary.warnings.join("\n")).toMatch(/not UTF-8: read as Windows-1252/);
    const leads = await leadsOf(file);
    expect(leads[0]!.owner.firstName).toBe("José");
    expect(leads[0]!.notes).toBe("Café – “big” lot");
  });

  it("Windows-1252 far into a file that starts as plain ASCII switches there, keeping earlier rows", async () => {
    const rows = Array.from({ length: 600 }, (_, i) => row(i + 1, { Notes: "x".repeat(150) }));
    rows[550] = row(551, { "First Name": "Zoë" });
    const file = fixture("late-cp1252.csv", Buffer.from(csv(rows), "latin1"));
    const r = await dryRun(file);
    expect(r.summary).toMatchObject({ rowsRead: 600, leads: 600, rowsRejected: 0 });
    expect((await leadsOf(file)).find((l) => l.rows[0] === 551)!.owner.firstName).toBe("Zoë");
  });

  it.each([
    ["semicolon (Excel in European locales)", ";"],
    ["tab", "\t"],
  ])("%s delimiters", async (_name, delimiter) => {
    const file = fixture("delim.csv", csv([row(1, { Notes: "a, b; c" }), row(2)], { delimiter }));
    const r = await dryRun(file);
    expect(r.summary).toMatchObject({ rowsRead: 2, leads: 2, rowsRejected: 0 });
    expect((await leadsOf(file))[0]!.notes).toBe("a, b; c");
  });

  it("lone CR line ends (old Mac), with a broken row among them", async () => {
    // An opening quote never closed: everything after it would be one field, up to the end of the file.
    const text = csv([row(1), row(2), row(3)], { eol: "\r" }).replace("102 Main St", '"102 Main St');
    const file = fixture("cr.csv", text);
    const r = await dryRun(file);
    expect(r.summary).toMatchObject({ rowsRead: 3, leads: 2, rowsRejected: 1 });
    expect(r.rows.get(2)?.outcome).toBe("rejected");
    expect(why(r.rows.get(2))).toMatch(/quote/);
    expect(r.rows.get(3)?.outcome).toBe("created");
  });

  it("quoted fields with line breaks and doubled quotes", async () => {
    const notes = 'He said "call after 5"\nRoof needs work,\r\nasks $200,000';
    const file = fixture("quoted.csv", csv([row(1, { Notes: notes }), row(2)], { quoteAll: true }));
    const r = await dryRun(file);
    expect(r.summary).toMatchObject({ rowsRead: 2, leads: 2, rowsRejected: 0 });
    expect((await leadsOf(file))[0]!.notes).toBe(notes.replace(/\r\n/g, "\n"));
  });

  it("a stray unbalanced quote costs its own row only, named by number", async () => {
    const text = csv([row(1), row(2), row(3), row(4)]).replace("Owner2", '"Owner2');
    const r = await dryRun(fixture("stray-quote.csv", text));
    expect(r.summary).toMatchObject({ rowsRead: 4, leads: 3, rowsRejected: 1 });
    expect(r.rows.get(2)).toMatchObject({ outcome: "rejected" });
    expect(why(r.rows.get(2))).toMatch(/unreadable row: malformed row: a quoted field is not closed/);
    expect(r.rejected).toContain('"Owner2');
    for (const good of [1, 3, 4]) expect(r.rows.get(good)?.outcome).toBe("created");
  });

  it("blank lines and rows of only commas are skipped, and later rows keep their place in the numbering", async () => {
    const lines = csv([row(1), row(2), row(3)]).split("\n");
    lines.splice(2, 0, "", ",,,,,,,,", "   ");
    const r = await dryRun(fixture("blank.csv", lines.join("\n")));
    expect(r.summary).toMatchObject({ leads: 3, rowsRejected: 0 });
    // Row numbers as the spreadsheet shows them, header excluded: the blank rows count.
    expect(r.report.map((l) => l.row)).toEqual([1, 5, 6]);
  });
});

describe("messy exports: headers and cells", () => {
  it("duplicated and blank header names: said once each; the first non-blank value is used", async () => {
    const header = [...HEADER, "Email", ""];
    const text = [
      header.join(","),
      line(row(1), "second@example.com", "stray"),
      line(row(2, { Email: "" }), "fallback@example.com", ""),
    ].join("\n");
    const file = fixture("dup-header.csv", text);
    const r = await dryRun(file);
    expect(r.summary).toMatchObject({ rowsRead: 2, leads: 2, rowsRejected: 0 });
    const w = r.summary.warnings.join("\n");
    expect(w).toMatch(/column "Email" appears 2 times \(columns 10, 22/);
    expect(w).toMatch(/column\(s\) 23 have no name/);
    const leads = await leadsOf(file);
    expect(leads[0]!.emails).toEqual(["owner1@example.com"]);
    expect(leads[1]!.emails).toEqual(["fallback@example.com"]);
  });

  it("header names in other casings and spacing, BatchLeads' older names, extra unknown columns", async () => {
    const header = HEADER.map((h) =>
      h === "Property Address"
        ? "PROPERTY  ADDRESS"
        : h === "Property Zip"
          ? " property zip "
          : h === "Tag Names"
            ? "Tags"
            : h === "Apn"
              ? "APN Number"
              : h === "Phone 1 TYPE"
                ? "phone 1 type"
                : h,
    );
    const text = [[...header, "My Own Column", "Skip Score"].join(","), line(row(1), "mine", "9")].join("\n");
    const file = fixture("drift.csv", text);
    const r = await dryRun(file);
    expect(r.summary).toMatchObject({ rowsRead: 1, leads: 1, rowsRejected: 0 });
    expect(r.summary.warnings.join("\n")).toMatch(/not imported .*: My Own Column, Skip Score/);
    const [lead] = await leadsOf(file);
    expect(lead!.property).toMatchObject({ address: "101 Main St", zip: "77024", apn: "100-1001" });
    expect(lead!.tags).toEqual(["vacant", "absentee"]);
    expect(lead!.phones[0]!.type).toBe("mobile");
  });

  it("trailing delimiters, rows with too few cells and rows with too many", async () => {
    const text = [
      HEADER.join(","),
      line(row(1), "", ""), // trailing delimiters
      HEADER.slice(0, 9)
        .map((h) => row(2)[h])
        .join(","), // too few: the rest blank
      line(row(3), "extra", "cells"), // too many: shifted, rejected
      line(row(4)),
    ].join("\n");
    const r = await dryRun(fixture("cells.csv", text));
    expect(r.summary).toMatchObject({ rowsRead: 4, leads: 3, rowsRejected: 1 });
    expect(r.rows.get(2)?.outcome).toBe("created");
    expect(r.rows.get(3)?.outcome).toBe("rejected");
    expect(why(r.rows.get(3))).toMatch(/row has 23 cells but the header has 21 columns/);
  });

  it("phones in every US format: extensions, +1, dots, letters, spreadsheet numbers; the bad ones named", async () => {
    const phones: Array<[string, string | undefined]> = [
      ["(713) 555-0101", "+17135550101"],
      ["713.555.0102", "+17135550102"],
      ["+1 713 555 0103", "+17135550103"],
      ["1-713-555-0104", "+17135550104"],
      ["713-555-0105 ext. 12", "+17135550105"],
      ["713-555-0106 x7", "+17135550106"],
      ["1-800-FLOWERS", "+18003569377"],
      ["7135550108.0", "+17135550108"],
      ["7.135550109E+09", "+17135550109"],
      ["7.13555E+09", undefined],
      ["555-0111", undefined],
      ["n/a", undefined],
    ];
    const file = fixture("phones.csv", csv(phones.map(([p], i) => row(i + 1, { "Phone 1": p, Email: "" }))));
    const r = await dryRun(file);
    expect(r.summary).toMatchObject({ rowsRead: 12, leads: 12, rowsRejected: 0 });
    const leads = await leadsOf(file);
    expect(leads.map((l) => l.primaryPhone)).toEqual(phones.map(([, e164]) => e164));
    expect(why(r.rows.get(10))).toMatch(/Phone 1 "7.13555E\+09" was cut short by a spreadsheet/);
    expect(why(r.rows.get(11))).toMatch(/Phone 1 "555-0111" is not a valid phone number: dropped/);
    expect(r.summary.warnings.join("\n")).toMatch(/3 value\(s\) in 3 row\(s\) .*row 10: Phone 1/);
  });

  it("emails with spaces and capitals; invalid ones named with their row and column", async () => {
    const file = fixture(
      "emails.csv",
      csv([
        row(1, { Email: "  John.Doe@Example.COM " }),
        row(2, { Email: "jane @ example.com" }),
        row(3, { Email: "not-an-email" }),
      ]),
    );
    const r = await dryRun(file);
    expect(r.summary).toMatchObject({ leads: 3, rowsRejected: 0 });
    const leads = await leadsOf(file);
    expect(leads.map((l) => l.emails)).toEqual([["john.doe@example.com"], ["jane@example.com"], []]);
    expect(why(r.rows.get(3))).toMatch(/Email "not-an-email" is not a valid email address: dropped/);
  });

  it("Excel-mangled numbers: ZIP codes without their leading zero, APN-less rows keyed by address", async () => {
    const file = fixture(
      "zips.csv",
      csv([
        row(1, { "Property Zip": "2134", "Property State": "MA", Apn: "" }),
        row(2, { "Property Zip": "2134.0", "Property State": "MA", Apn: "", "Property Address": "9 Elm St" }),
        row(3, { "Property Zip": "ABCDE", Apn: "" }),
      ]),
    );
    const r = await dryRun(file);
    expect(r.summary).toMatchObject({ rowsRead: 3, leads: 2, rowsRejected: 1 });
    const leads = await leadsOf(file);
    expect(leads.map((l) => l.property.zip)).toEqual(["02134", "02134"]);
    expect(why(r.rows.get(3))).toMatch(/no APN and no property address with ZIP/);
  });

  it("dates in several formats; one that is no date is named with its row and column", async () => {
    const dates: Array<[string, string | undefined]> = [
      ["02-08-2026", "2026-02-08"],
      ["2/8/2026", "2026-02-08"],
      ["2026-02-08", "2026-02-08"],
      ["02/08/26", "2026-02-08"],
      ["Feb 8, 2026", "2026-02-08"],
      ["8-Feb-2026", "2026-02-08"],
      ["46061", "2026-02-08"],
      ["13/45/2026", undefined],
    ];
    const file = fixture("dates.csv", csv(dates.map(([d], i) => row(i + 1, { "Last Sale Date": d }))));
    const r = await dryRun(file);
    expect(r.summary).toMatchObject({ leads: 8, rowsRejected: 0 });
    const leads = await leadsOf(file);
    expect(leads.map((l) => l.facts.lastSaleDate)).toEqual(dates.map(([, iso]) => iso));
    expect(why(r.rows.get(8))).toMatch(/Last Sale Date "13\/45\/2026" is not a date/);
  });
});

describe("messy exports: workbooks and files that are no export", () => {
  it("an XLSX whose first worksheet is empty and whose header sits under title rows", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("Notes");
    const ws = wb.addWorksheet("Export");
    ws.addRow(["Tired Landlords - exported 03/01/2026"]);
    ws.addRow([]);
    ws.addRow(HEADER);
    for (let i = 1; i <= 3; i++) ws.addRow(HEADER.map((h) => row(i)[h]));
    const file = path.join(dir, `${++n}-titled.xlsx`);
    await wb.xlsx.writeFile(file);
    const r = await dryRun(file);
    expect(r.summary).toMatchObject({ rowsRead: 3, leads: 3, rowsRejected: 0 });
    const w = r.summary.warnings.join("\n");
    expect(w).toMatch(/first worksheet is empty: read worksheet 2 \("Export"\)/);
    expect(w).toMatch(/1 row\(s\) above the header were skipped/);
    expect(r.report.map((l) => l.row)).toEqual([1, 2, 3]);
  });

  it("a CSV with title rows above the header", async () => {
    const text = `BatchLeads export\nList: Tired Landlords,,\n${csv([row(1), row(2)])}`;
    const r = await dryRun(fixture("titled.csv", text));
    expect(r.summary).toMatchObject({ rowsRead: 2, leads: 2, rowsRejected: 0 });
    expect(r.summary.warnings.join("\n")).toMatch(/2 row\(s\) above the header were skipped/);
  });

  it("a file of only a header: nothing to import, said so", async () => {
    const r = await dryRun(fixture("header-only.csv", `${HEADER.join(",")}\r\n`));
    expect(r.summary).toMatchObject({ rowsRead: 0, leads: 0, rowsRejected: 0 });
    expect(r.summary.warnings.join("\n")).toMatch(/header row but no data rows/);
  });

  it.each([
    ["an empty file", "empty.csv", Buffer.alloc(0), /is empty: no header row/],
    [
      "only blank lines",
      "blank.csv",
      Buffer.from("\r\n\n  \n"),
      /has no header row: it holds only blank rows/,
    ],
    [
      "a PNG",
      "photo.png",
      Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489", "hex"),
      /is not a CSV or XLSX file \(binary content\)/,
    ],
    [
      "a zip that is no workbook",
      "export.zip",
      zipOf("a.txt", "hi"),
      /cannot be read as an XLSX workbook \(it is a zip archive without any worksheet\)/,
    ],
    [
      "a CSV that is not an export",
      "contacts.csv",
      Buffer.from("Name,Phone\nJo,7135550100\n"),
      /has no BatchLeads header row: none of its first 2 row\(s\) names the export's columns \(first row: Name, Phone\)/,
    ],
  ])("%s is refused with a message naming the file", async (_what, name, bytes, message) => {
    const file = fixture(name, bytes);
    const err = await refused(file);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(message);
  });

  it("the real command prints the refusal as one line, without a stack, and exits 2", async () => {
    const file = fixture("photo.png", Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"));
    const r = await promisify(execFile)(process.execPath, [
      BIN,
      "import",
      "batchleads",
      file,
      "--dry-run",
    ]).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`hlconnect: ${file}: is not a CSV or XLSX file (binary content)`);
  });
});
