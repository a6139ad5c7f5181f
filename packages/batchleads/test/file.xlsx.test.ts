import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExportItem, readExportRows } from "../src/file/read.ts";
import { cellText } from "../src/file/xlsx.ts";
import type { Lead } from "../src/lead.ts";
import { readLeads, SAMPLE_HEADER, withoutRows, writeExport, writeMessyExport } from "./fixtures/messy.ts";

const SAMPLE = fileURLToPath(new URL("../../../specs/batchleads/sample-export.csv", import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bl-xlsx-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function same(a: Map<string, Lead>, b: Map<string, Lead>): void {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [key, lead] of a) expect(withoutRows(b.get(key)), key).toEqual(withoutRows(lead));
}

describe("XLSX exports", () => {
  it("the sample as a workbook (phones and counts as numbers, dates as dates) gives the same leads", async () => {
    const [header, ...records] = parse(readFileSync(SAMPLE), { columns: false }) as string[][];
    const rows = records.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ""])));
    const path = join(dir, "sample.xlsx");
    await writeExport(path, [...SAMPLE_HEADER], rows, { format: "xlsx", headerDrift: false });
    const fromCsv = await readLeads(SAMPLE);
    const fromXlsx = await readLeads(path);
    expect(fromXlsx.errors).toEqual([]);
    expect(fromXlsx.rows).toBe(300);
    same(fromCsv.leads, fromXlsx.leads);
    // Same row numbers too: the header is the workbook's first row.
    for (const [key, lead] of fromCsv.leads) expect(fromXlsx.leads.get(key)?.rows).toEqual(lead.rows);
  });

  it("a generated messy workbook gives the same leads as the same data in CSV", async () => {
    const opts = { rows: 800, seed: 9 };
    const csv = join(dir, "messy.csv");
    const xlsx = join(dir, "messy.xlsx");
    const stats = await writeMessyExport(csv, opts);
    await writeMessyExport(xlsx, { ...opts, format: "xlsx" });
    const a = await readLeads(csv);
    const b = await readLeads(xlsx);
    expect(b.leads.size).toBe(stats.properties);
    same(a.leads, b.leads);
  });

  it("cells read as the CSV would hold them: numbers without .0, dates MM-DD-YYYY, rich text, formulas", async () => {
    const path = join(dir, "cells.xlsx");
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Export");
    ws.addRow([
      "Phone 1",
      "Created Date",
      "Notes",
      "Estimated Value",
      "Bathroom Count",
      "Is Vacant",
      "Tag Names",
    ]);
    const row = ws.addRow([
      7135551234,
      new Date(Date.UTC(2026, 1, 8)),
      { richText: [{ text: "Bold " }, { text: "and plain" }] },
      { formula: "300000+16000", result: 316000 },
      2.5,
      true,
      null,
    ]);
    row.getCell(2).numFmt = "mm-dd-yyyy";
    ws.addRow([]);
    ws.addRow(["7135551235", "", "", "", 1.5, false, "vacant"]);
    await wb.xlsx.writeFile(path);
    const items: ExportItem[] = [];
    for await (const item of readExportRows(path)) items.push(item);
    expect(items).toEqual([
      {
        row: 1,
        values: {
          "Phone 1": "7135551234",
          "Created Date": "02-08-2026",
          Notes: "Bold and plain",
          "Estimated Value": "316000",
          "Bathroom Count": "2.5",
          "Is Vacant": "TRUE",
          "Tag Names": "",
        },
      },
      // The empty worksheet row 3 is skipped; numbering follows the sheet.
      {
        row: 3,
        values: {
          "Phone 1": "7135551235",
          "Created Date": "",
          Notes: "",
          "Estimated Value": "",
          "Bathroom Count": "1.5",
          "Is Vacant": "FALSE",
          "Tag Names": "vacant",
        },
      },
    ]);
  });

  it("cellText covers every exceljs value shape", () => {
    expect(cellText(7135551234)).toBe("7135551234");
    expect(cellText(2.4999999999999996)).toBe("2.5");
    expect(cellText(new Date(Date.UTC(2024, 11, 31, 13, 5)))).toBe("12-31-2024");
    expect(cellText({ text: "site", hyperlink: "https://example.com" })).toBe("site");
    expect(cellText({ error: "#N/A" })).toBe("");
    expect(cellText({ formula: "A1" })).toBe("");
    expect(cellText({ sharedFormula: "A1", result: "x" })).toBe("x");
    expect(cellText(undefined)).toBe("");
  });

  it("reads only the first worksheet and reports progress in compressed bytes", async () => {
    const path = join(dir, "two.xlsx");
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("Export").addRows([
      ["Apn", "Notes"],
      ["1", "first sheet"],
    ]);
    wb.addWorksheet("Other").addRows([
      ["Apn", "Notes"],
      ["2", "second sheet"],
    ]);
    await wb.xlsx.writeFile(path);
    const seen: number[] = [];
    const items: ExportItem[] = [];
    for await (const item of readExportRows(path, { onProgress: (n, total) => seen.push(n / total) }))
      items.push(item);
    expect(items).toEqual([{ row: 1, values: { Apn: "1", Notes: "first sheet" } }]);
    expect(seen.at(-1)).toBe(1);
  });
});
