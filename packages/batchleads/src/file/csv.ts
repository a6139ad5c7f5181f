// CSV/TSV records streamed from disk with csv-parse, one 64 KB chunk at a time. A malformed record (an
// unterminated quote swallows everything after it) does not end the read: the record's first line is reported
// and parsing starts again on the line after it, so every good row around it is kept.
// Text is UTF-8 unless it cannot be: a file saved by Excel as "CSV" on Windows is Windows-1252 ("Jos\xe9").
// The first chunk that is not UTF-8 switches the rest of the file to Windows-1252, from the record it is in.
import { isUtf8 } from "node:buffer";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { type CsvError, type Info, Parser } from "csv-parse";
import { parse as parseSync } from "csv-parse/sync";

export type CsvItem =
  | { kind: "record"; cells: string[] }
  | { kind: "error"; message: string; raw: string }
  /** The file is not UTF-8: from here on it is read as Windows-1252. */
  | { kind: "encoding"; encoding: "windows-1252" };

/** A quoted field longer than this is taken for an unterminated quote rather than a long note. */
export const MAX_RECORD_CHARS = 1024 * 1024;
// Small chunks: the records of one chunk wait to be handed out, and fewer waiting means fewer promoted
// to the old generation (less heap growth) for no measurable loss of speed.
const CHUNK_BYTES = 64 * 1024;
const RAW_LINE_CHARS = 8 * 1024;

export interface CsvSource {
  path: string;
  delimiter: string;
  size: number;
  /** Called with the furthest byte offset read so far. */
  onBytes?: (bytesRead: number) => void;
}

export async function* csvRecords(src: CsvSource): AsyncGenerator<CsvItem> {
  let start = 0;
  let furthest = 0;
  let cp1252 = false;
  while (start < src.size) {
    const pending: string[][] = [];
    let lastEnd = 0;
    let failure: Error | undefined;
    let switchEncoding = false;
    // Bytes of a UTF-8 sequence cut by the chunk's end, checked with the next chunk.
    let carry: Buffer | undefined;
    const parser = new Parser({
      delimiter: src.delimiter,
      bom: start === 0,
      relax_column_count: true,
      // Blank lines come through as records (and are skipped by the reader), so row numbers count them as a
      // spreadsheet does.
      skip_empty_lines: false,
      // Latin-1 keeps one character per byte; the 0x80-0x9F ones are then turned into Windows-1252's.
      ...(cp1252 ? { encoding: "latin1" as const } : {}),
      max_record_size: MAX_RECORD_CHARS,
      // Records are taken here, synchronously with their end offset, instead of through the readable side:
      // a stream error would drop records still buffered there, and we need the offset to resume.
      on_record: (record: string[], ctx: Info) => {
        pending.push(cp1252 ? record.map(fromCp1252) : record);
        lastEnd = ctx.bytes;
        return null;
      },
    });
    const done = new Promise<void>((resolve) => {
      parser.once("end", resolve);
      parser.once("close", resolve);
      // `on`, not `once`: a second error (a write racing the first) must not go unhandled.
      parser.on("error", (err) => {
        failure ??= err;
        resolve();
      });
    });
    parser.resume();
    const input = createReadStream(src.path, { start, highWaterMark: CHUNK_BYTES });
    let pos = start;
    try {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        if (!cp1252) {
          const checked = carry ? Buffer.concat([carry, chunk]) : chunk;
          const cut = incompleteTail(checked);
          if (!isUtf8(checked.subarray(0, checked.length - cut))) {
            // Parse again from the end of the last whole record, as Windows-1252.
            switchEncoding = true;
            break;
          }
          carry = cut ? Buffer.from(checked.subarray(checked.length - cut)) : undefined;
        }
        pos += chunk.length;
        if (pos > furthest) {
          furthest = pos;
          src.onBytes?.(furthest);
        }
        parser.write(chunk);
        // A parse error is emitted on the next tick: let it land before handing records out.
        await new Promise<void>((r) => setImmediate(r));
        for (const cells of pending) yield { kind: "record", cells };
        pending.length = 0;
        if (failure) break;
      }
      // The file ends inside a UTF-8 sequence: that is not UTF-8 either.
      if (!failure && !switchEncoding && carry) switchEncoding = true;
      if (!failure && !switchEncoding) {
        parser.end();
        await done;
        // Records completed before an error at the very end are good ones.
        for (const cells of pending) yield { kind: "record", cells };
        pending.length = 0;
      }
    } finally {
      input.destroy();
      parser.destroy();
    }
    if (switchEncoding) {
      cp1252 = true;
      start += lastEnd;
      yield { kind: "encoding", encoding: "windows-1252" };
      continue;
    }
    if (!failure) return;
    const bad = await readLineAt(src.path, start + lastEnd, src.size, cp1252);
    const salvaged = (failure as CsvError).code === "INVALID_OPENING_QUOTE" && salvage(bad, src.delimiter);
    if (salvaged) yield { kind: "record", cells: cp1252 ? salvaged.map(fromCp1252) : salvaged };
    else yield { kind: "error", message: describeCsvError(failure), raw: bad.raw };
    start = bad.next;
  }
}

/** A line whose only fault is a quote inside an unquoted field (`2" pipe`) is read with that quote kept. */
function salvage(line: { raw: string; whole: boolean }, delimiter: string): string[] | undefined {
  if (!line.whole) return undefined;
  try {
    const records = parseSync(line.raw, {
      delimiter,
      relax_quotes: true,
      relax_column_count: true,
    }) as string[][];
    return records.length === 1 ? records[0] : undefined;
  } catch {
    return undefined;
  }
}

function describeCsvError(err: Error): string {
  switch ((err as CsvError).code) {
    case "INVALID_OPENING_QUOTE":
      return "malformed row: a quote inside an unquoted field";
    case "CSV_QUOTE_NOT_CLOSED":
    case "CSV_MAX_RECORD_SIZE":
    case "CSV_INVALID_CLOSING_QUOTE":
      return "malformed row: a quoted field is not closed properly (unterminated or stray quote)";
    default:
      // csv-parse counts lines from where it (re)started: its line numbers would mislead.
      return `malformed row: ${err.message.replace(/ at line \d+/, "")}`;
  }
}

/**
 * The physical line starting at `offset` (leading blank lines skipped) and the offset after it. A line ends
 * at LF, CRLF or a lone CR (old Mac files).
 */
async function readLineAt(
  path: string,
  offset: number,
  size: number,
  cp1252 = false,
): Promise<{ raw: string; whole: boolean; next: number }> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(64 * 1024);
    const parts: Buffer[] = [];
    let kept = 0;
    let pos = offset;
    let started = false;
    let cut = false;
    while (pos < size) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      let from = 0;
      if (!started) {
        while (from < bytesRead && (buf[from] === 0x0a || buf[from] === 0x0d)) from++;
        if (from < bytesRead) started = true;
      }
      const nl = lineEnd(buf, from, bytesRead);
      const end = nl === -1 ? bytesRead : nl;
      if (end > from) {
        if (kept < RAW_LINE_CHARS * 4) parts.push(Buffer.from(buf.subarray(from, end)));
        else cut = true;
        kept += end - from;
      }
      if (nl !== -1) {
        // CRLF: the LF belongs to this line end (a CR ending the buffer is taken for a lone one).
        const after = buf[nl] === 0x0d && nl + 1 < bytesRead && buf[nl + 1] === 0x0a ? nl + 2 : nl + 1;
        return { ...rawText(parts, cut, cp1252), next: pos + after };
      }
      pos += bytesRead;
    }
    return { ...rawText(parts, cut, cp1252), next: size };
  } finally {
    await fh.close();
  }
}

/** The first CR or LF in buf[from, to), or -1. */
function lineEnd(buf: Buffer, from: number, to: number): number {
  for (let i = from; i < to; i++) if (buf[i] === 0x0a || buf[i] === 0x0d) return i;
  return -1;
}

function rawText(parts: Buffer[], cut: boolean, cp1252 = false): { raw: string; whole: boolean } {
  const bytes = Buffer.concat(parts);
  const text = (cp1252 ? fromCp1252(bytes.toString("latin1")) : bytes.toString("utf8")).replace(/\r$/, "");
  if (!cut && text.length <= RAW_LINE_CHARS) return { raw: text, whole: true };
  return { raw: `${text.slice(0, RAW_LINE_CHARS)}…`, whole: false };
}

/** How many bytes at the end of `buf` start a UTF-8 sequence the buffer cuts short (0 when none). */
function incompleteTail(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const b = buf[buf.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** Windows-1252's characters for 0x80-0x9F (Latin-1 has control codes there); undefined ones stay as they are. */
const CP1252_HIGH =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

/** Text decoded as Latin-1, as Windows-1252 would have decoded it. */
export function fromCp1252(latin1: string): string {
  if (!/[\x80-\x9f]/.test(latin1)) return latin1;
  return latin1.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}
