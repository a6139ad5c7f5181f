// XLSX rows streamed with exceljs's WorkbookReader (the first worksheet with any content: a workbook saved by
// hand may start with an empty sheet), each cell turned into the text the CSV export would have held: numbers
// without a trailing ".0", dates as MM-DD-YYYY.
import { createReadStream } from "node:fs";
import { Transform } from "node:stream";

export interface XlsxRow {
  /** The worksheet's row number (1-based, as the spreadsheet shows it). */
  number: number;
  cells: string[];
  /** Which worksheet (1-based position in the workbook) and its name. */
  sheet: { index: number; name: string };
}

export async function* xlsxRows(
  path: string,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<XlsxRow> {
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  let read = 0;
  // Counts the compressed bytes going into the unzipper: that is what the progress bar can measure.
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      read += chunk.length;
      onBytes?.(read);
      cb(null, chunk);
    },
  });
  file.on("error", (err) => counter.destroy(err));
  file.pipe(counter);
  // Loaded only for a workbook: exceljs is large, and a CSV import should not pay for it.
  const { default: ExcelJS } = await import("exceljs");
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(counter, {
    worksheets: "emit",
    sharedStrings: "cache",
    // Styles tell date cells from number cells.
    styles: "cache",
    hyperlinks: "ignore",
    entries: "ignore",
  });
  try {
    let index = 0;
    for await (const sheet of reader) {
      index++;
      const about = { index, name: String((sheet as { name?: string }).name ?? `Sheet${index}`) };
      let content = false;
      for await (const row of sheet) {
        const values = row.values as unknown[];
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        if (!content && cells.some((c) => c.trim() !== "")) content = true;
        yield { number: row.number, cells, sheet: about };
      }
      // One worksheet: BatchLeads puts the export in the first; an empty one before it is passed over.
      if (content) break;
    }
    // A zip that is no workbook (or one without sheets) has nothing exceljs would call a worksheet.
    if (index === 0) throw new Error("it is a zip archive without any worksheet");
  } finally {
    file.destroy();
    counter.destroy();
  }
}

/** One cell as the text a CSV export would hold. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number") return numberText(v);
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (v instanceof Date) return dateText(v);
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return o.richText.map((r: { text?: string }) => r.text ?? "").join("");
    if ("result" in o) return cellText(o.result);
    if ("formula" in o || "sharedFormula" in o) return "";
    if ("text" in o) return cellText(o.text);
    if ("error" in o) return "";
  }
  return String(v);
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) return "";
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  // Spreadsheet arithmetic leaves 2.4999999999999996: 12 significant digits is what Excel shows.
  return String(Number(n.toPrecision(12)));
}

function dateText(d: Date): string {
  if (Number.isNaN(d.getTime())) return "";
  const mm = String(d.getUTCMonth() + 1).padStart(2, "0");
  const dd = String(d.getUTCDate()).padStart(2, "0");
  return `${mm}-${dd}-${d.getUTCFullYear()}`;
}
