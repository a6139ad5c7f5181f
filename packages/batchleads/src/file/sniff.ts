// What kind of file we were handed, decided from its first bytes (the extension only breaks ties), and which
// delimiter its header line uses. Everything we cannot read is refused here with a message naming the file.
import { open } from "node:fs/promises";
import { extname } from "node:path";

export type ExportFormat = { kind: "xlsx" } | { kind: "csv"; delimiter: string };

/** An export file that cannot be read at all: missing, empty, not CSV/XLSX, or without a header row. */
export class ExportFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "ExportFileError";
  }
}

const SNIFF_BYTES = 64 * 1024;

export async function sniffFormat(path: string): Promise<{ format: ExportFormat; size: number }> {
  let head: Buffer;
  let size: number;
  try {
    const fh = await open(path, "r");
    try {
      const st = await fh.stat();
      if (st.isDirectory()) throw new ExportFileError(path, "is a folder, not an export file");
      size = st.size;
      const buf = Buffer.alloc(Math.min(SNIFF_BYTES, size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (err instanceof ExportFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ExportFileError(path, "no such file");
    if (code === "EISDIR") throw new ExportFileError(path, "is a folder, not an export file");
    throw new ExportFileError(path, `cannot be opened (${(err as Error).message})`);
  }
  const ext = extname(path).toLowerCase();
  if (head.length === 0) throw new ExportFileError(path, "is empty: no header row");
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    return { format: { kind: "xlsx" }, size };
  }
  if (ext === ".xlsx") throw new ExportFileError(path, "has the .xlsx extension but is not an XLSX workbook");
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    throw new ExportFileError(path, "is an old Excel .xls workbook: save it as .xlsx or CSV");
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new ExportFileError(path, "is UTF-16 text: save it as UTF-8 CSV");
  }
  if (head.includes(0)) throw new ExportFileError(path, "is not a CSV or XLSX file (binary content)");
  return { format: { kind: "csv", delimiter: sniffDelimiter(head) }, size };
}

/**
 * The delimiter of the header line: whichever of tab, comma and semicolon it holds most of, outside quotes.
 * BatchLeads writes commas; tab-delimited files come from spreadsheets' "Text (tab delimited)".
 */
export function sniffDelimiter(head: Buffer | string): string {
  const text = typeof head === "string" ? head : head.toString("utf8");
  const counts: Record<string, number> = { ",": 0, "\t": 0, ";": 0 };
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) {
      // Leading blank lines are skipped like the parser skips them.
      if (counts[","]! + counts["\t"]! + counts[";"]! > 0) break;
    } else if (!quoted && ch in counts) counts[ch]!++;
  }
  let best = ",";
  for (const d of ["\t", ";"]) if (counts[d]! > counts[best]!) best = d;
  return best;
}
