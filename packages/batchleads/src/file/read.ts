// Reading a BatchLeads export, CSV (comma, tab or semicolon; BOM or not; CRLF or LF) or XLSX, as a stream of
// rows keyed by canonical column names. Memory stays flat whatever the file size: one chunk at a time.
import type { LeadMapping } from "../lead.ts";
import { resolveHeader } from "./columns.ts";
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
}

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
  if (format.kind === "xlsx") {
    yield* fromXlsx(path, opts.mapping, onBytes);
  } else {
    yield* fromCsv(path, format.delimiter, size, opts.mapping, onBytes);
  }
  opts.onProgress?.(size, size);
}

async function* fromCsv(
  path: string,
  delimiter: string,
  size: number,
  mapping: LeadMapping | undefined,
  onBytes: ((n: number) => void) | undefined,
): AsyncGenerator<ExportItem> {
  let header: string[] | undefined;
  let row = 0;
  for await (const item of csvRecords({ path, delimiter, size, onBytes })) {
    if (!header) {
      if (item.kind === "error")
        throw new ExportFileError(path, `the header row cannot be read (${item.message})`);
      if (isBlank(item.cells)) continue;
      header = headerNames(path, item.cells, mapping);
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
  if (!header) throw new ExportFileError(path, "has no header row");
}

async function* fromXlsx(
  path: string,
  mapping: LeadMapping | undefined,
  onBytes: ((n: number) => void) | undefined,
): AsyncGenerator<ExportItem> {
  let header: string[] | undefined;
  let headerRow = 0;
  try {
    for await (const { number, cells } of xlsxRows(path, onBytes)) {
      if (isBlank(cells)) continue;
      if (!header) {
        header = headerNames(path, cells, mapping);
        headerRow = number;
        continue;
      }
      // Cells past the header are a real (unnamed) column in a workbook, not a shifted row.
      for (let i = header.length; i < cells.length; i++) header.push(`Column ${i + 1}`);
      yield { row: number - headerRow, values: toValues(header, cells) };
    }
  } catch (err) {
    if (err instanceof ExportFileError) throw err;
    throw new ExportFileError(path, `cannot be read as an XLSX workbook (${(err as Error).message})`);
  }
  if (!header) throw new ExportFileError(path, "has no header row (its first worksheet is empty)");
}

function headerNames(path: string, cells: string[], mapping: LeadMapping | undefined): string[] {
  const { names, known } = resolveHeader(cells, mapping);
  if (known === 0) {
    const first = cells.join(", ").slice(0, 120);
    throw new ExportFileError(
      path,
      `has no BatchLeads header row: none of its first row's names is a known column (first row: ${first})`,
    );
  }
  return names;
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
