// Reading a BatchLeads export, CSV (comma, tab or semicolon; BOM or not; CRLF or LF) or XLSX, as a stream of
// rows keyed by canonical column names. Memory stays flat whatever the file size: one chunk at a time.
import type { LeadMapping } from "../lead.ts";
import { isExportColumn, resolveHeader } from "./columns.ts";
import { csvRecords } from "./csv.ts";
import { ExportFileError, sniffFormat } from "./sniff.ts";
import { xlsxRows } from "./xlsx.ts";

export { ExportFileError } from "./sniff.ts";

/** A data row: values keyed by canonical column names (unknown columns keep their own trimmed name). */
export interface ExportRow {
  /** 1-based data row number, header excluded. */
  row: number;
  values: Record<string, string>;
}

/** A row that could not be read (an unterminated quote, shifted columns); reading goes on after it. */
export interface ExportRowError {
  row: number;
  error: string;
  /** The row's text as it stands in the file (its first line for a broken quoted field). */
  raw?: string;
}

export type ExportItem = ExportRow | ExportRowError;

export interface ReadOptions {
  /** Its `columns` aliases extend the header names we recognise. */
  mapping?: LeadMapping;
  /** Called as the file is read, for a progress bar. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /**
   * Things about the whole file the person should know (its encoding, title rows skipped, columns named
   * twice or not imported, no data rows); each is said once.
   */
  onNotice?: (message: string) => void;
}

/** Rows above the header looked through for it (title lines, an export date, blank rows). */
const HEADER_SEARCH_ROWS = 20;

export function isRowError(item: ExportItem): item is ExportRowError {
  return "error" in item;
}

/**
 * The rows of an export file, streamed. A malformed row becomes an error item and reading continues; a file
 * that cannot be read at all (missing, not CSV/XLSX, no header row) throws an `ExportFileError` naming it.
 */
export async function* readExportRows(path: string, opts: ReadOptions = {}): AsyncGenerator<ExportItem> {
  const { format, size } = await sniffFormat(path);
  const onBytes = opts.onProgress ? (n: number) => opts.onProgress?.(Math.min(n, size), size) : undefined;
  const notice = opts.onNotice ?? (() => {});
  if (format.kind === "xlsx") {
    yield* fromXlsx(path, opts.mapping, onBytes, notice);
  } else {
    yield* fromCsv(path, format.delimiter, size, opts.mapping, onBytes, notice);
  }
  opts.onProgress?.(size, size);
}

async function* fromCsv(
  path: string,
  delimiter: string,
  size: number,
  mapping: LeadMapping | undefined,
  onBytes: ((n: number) => void) | undefined,
  notice: (message: string) => void,
): AsyncGenerator<ExportItem> {
  const find = new HeaderSearch(path, mapping, notice);
  let header: string[] | undefined;
  let row = 0;
  for await (const item of csvRecords({ path, delimiter, size, onBytes })) {
    if (item.kind === "encoding") {
      notice(
        `${header ? `from data row ${row + 1} on, ` : ""}the file is not UTF-8: read as Windows-1252 (how Excel on Windows saves "CSV"); save it as "CSV UTF-8" to be sure of accented names`,
      );
      continue;
    }
    if (!header) {
      if (item.kind === "error")
        throw new ExportFileError(path, `the header row cannot be read (${item.message})`);
      header = find.offer(item.cells);
      continue;
    }
    row++;
    if (item.kind === "error") {
      yield { row, error: item.message, raw: item.raw };
      continue;
    }
    if (isBlank(item.cells)) continue;
    const extra = lastFilled(item.cells) + 1 - header.length;
    if (extra > 0) {
      // More filled cells than columns: something (an unquoted delimiter) shifted the row; its values would
      // land in the wrong columns, so it is reported rather than imported.
      yield {
        row,
        error: `row has ${header.length + extra} cells but the header has ${header.length} columns (an unquoted "${delimiter === "\t" ? "\\t" : delimiter}"?)`,
        raw: item.cells.join(delimiter),
      };
      continue;
    }
    yield { row, values: toValues(header, item.cells) };
  }
  if (!header) find.fail("has no header row");
  if (row === 0) notice("the file has a header row but no data rows: nothing to import");
}

async function* fromXlsx(
  path: string,
  mapping: LeadMapping | undefined,
  onBytes: ((n: number) => void) | undefined,
  notice: (message: string) => void,
): AsyncGenerator<ExportItem> {
  const find = new HeaderSearch(path, mapping, notice);
  let header: string[] | undefined;
  let headerRow = 0;
  let rows = 0;
  try {
    for await (const { number, cells, sheet } of xlsxRows(path, onBytes)) {
      if (!header) {
        header = find.offer(cells);
        if (header) {
          headerRow = number;
          if (sheet.index > 1)
            notice(`the first worksheet is empty: read worksheet ${sheet.index} ("${sheet.name}")`);
        }
        continue;
      }
      if (isBlank(cells)) continue;
      rows++;
      // Cells past the header are a real (unnamed) column in a workbook, not a shifted row.
      for (let i = header.length; i < cells.length; i++) header.push(`Column ${i + 1}`);
      yield { row: number - headerRow, values: toValues(header, cells) };
    }
  } catch (err) {
    if (err instanceof ExportFileError) throw err;
    throw new ExportFileError(path, `cannot be read as an XLSX workbook (${(err as Error).message})`);
  }
  if (!header) find.fail("has no header row");
  if (rows === 0) notice("the workbook has a header row but no data rows: nothing to import");
}

/**
 * Finds the header row: the first non-blank row when it names a known column, else the first of the next
 * rows naming at least two (title lines such as "Tired Landlords - exported 03/01/2026" sit above it in
 * hand-made files). Says what it skipped and what is odd about the header it took.
 */
class HeaderSearch {
  private first: string[] | undefined;
  private skipped = 0;

  constructor(
    private readonly path: string,
    private readonly mapping: LeadMapping | undefined,
    private readonly notice: (message: string) => void,
  ) {}

  /** The canonical names when `cells` is the header row; undefined to keep looking. */
  offer(cells: string[]): string[] | undefined {
    if (isBlank(cells)) return undefined;
    const { names, known } = resolveHeader(cells, this.mapping);
    if (known >= (this.first ? 2 : 1)) {
      if (this.skipped) {
        this.notice(
          `${this.skipped} row(s) above the header were skipped (the first: "${this.first!.filter(Boolean).join(" ").slice(0, 80)}")`,
        );
      }
      describeHeader(cells, names, this.notice);
      return names;
    }
    this.first ??= cells;
    if (++this.skipped >= HEADER_SEARCH_ROWS) this.fail("has no header row");
    return undefined;
  }

  fail(why: string): never {
    if (!this.first) throw new ExportFileError(this.path, `${why}: it holds only blank rows`);
    const first = this.first.join(", ").slice(0, 120);
    throw new ExportFileError(
      this.path,
      `has no BatchLeads header row: none of its first ${Math.min(this.skipped, HEADER_SEARCH_ROWS)} row(s) names the export's columns (first row: ${first})`,
    );
  }
}

/** Notices about a header: columns named twice, columns with no name, columns not imported, key columns missing. */
function describeHeader(cells: string[], names: string[], notice: (message: string) => void): void {
  const seen = new Map<string, number[]>();
  names.forEach((n, i) => {
    seen.set(n, [...(seen.get(n) ?? []), i + 1]);
  });
  for (const [name, at] of seen) {
    if (at.length > 1 && isExportColumn(name)) {
      notice(
        `column "${name}" appears ${at.length} times (columns ${at.join(", ")}: ${at.map((i) => `"${cells[i - 1]!.trim()}"`).join(", ")}); in each row the first non-blank one is used`,
      );
    }
  }
  const unnamed = names.flatMap((n, i) => (/^Column \d+$/.test(n) && !cells[i]!.trim() ? [i + 1] : []));
  if (unnamed.length) {
    notice(
      `column(s) ${unnamed.join(", ")} have no name in the header: their values are not imported (kept in the rejected rows file)`,
    );
  }
  const unknown = names.filter((n, i) => !isExportColumn(n) && cells[i]!.trim() !== "");
  if (unknown.length) {
    notice(
      `column(s) not imported (not BatchLeads export columns): ${unknown.slice(0, 10).join(", ")}${unknown.length > 10 ? `, and ${unknown.length - 10} more` : ""}`,
    );
  }
  if (!names.includes("Property Address") && !names.includes("Apn")) {
    notice(
      'the header has neither "Property Address" nor "Apn": every row is rejected (a lead is keyed by its APN, else by its address and ZIP)',
    );
  }
}

function toValues(header: readonly string[], cells: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (let i = 0; i < header.length; i++) {
    const name = header[i]!;
    const v = cells[i] ?? "";
    const prev = values[name];
    // A column named twice: the first non-blank value wins.
    if (prev === undefined || (prev.trim() === "" && v.trim() !== "")) values[name] = v;
  }
  return values;
}

function isBlank(cells: readonly string[]): boolean {
  for (const c of cells) if (c.trim() !== "") return false;
  return true;
}

function lastFilled(cells: readonly string[]): number {
  for (let i = cells.length - 1; i >= 0; i--) if (cells[i]!.trim() !== "") return i;
  return -1;
}
