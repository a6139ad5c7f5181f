// CSV/TSV records streamed from disk with csv-parse, one 64 KB chunk at a time. A malformed record (an
// unterminated quote swallows everything after it) does not end the read: the record's first line is reported
// and parsing starts again on the line after it, so every good row around it is kept.
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { type CsvError, type Info, Parser } from "csv-parse";
import { parse as parseSync } from "csv-parse/sync";

export type CsvItem = { kind: "record"; cells: string[] } | { kind: "error"; message: string; raw: string };

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
  while (start < src.size) {
    const pending: string[][] = [];
    let lastEnd = 0;
    let failure: Error | undefined;
    const parser = new Parser({
      delimiter: src.delimiter,
      bom: start === 0,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: MAX_RECORD_CHARS,
      // Records are taken here, synchronously with their end offset, instead of through the readable side:
      // a stream error would drop records still buffered there, and we need the offset to resume.
      on_record: (record: string[], ctx: Info) => {
        pending.push(record);
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
      if (!failure) {
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
    if (!failure) return;
    const bad = await readLineAt(src.path, start + lastEnd, src.size);
    const salvaged = (failure as CsvError).code === "INVALID_OPENING_QUOTE" && salvage(bad, src.delimiter);
    if (salvaged) yield { kind: "record", cells: salvaged };
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

/** The physical line starting at `offset` (leading blank lines skipped) and the offset after it. */
async function readLineAt(
  path: string,
  offset: number,
  size: number,
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
      const nl = buf.indexOf(0x0a, from);
      const end = nl === -1 || nl >= bytesRead ? bytesRead : nl;
      if (end > from) {
        if (kept < RAW_LINE_CHARS * 4) parts.push(Buffer.from(buf.subarray(from, end)));
        else cut = true;
        kept += end - from;
      }
      if (nl !== -1 && nl < bytesRead) return { ...rawText(parts, cut), next: pos + nl + 1 };
      pos += bytesRead;
    }
    return { ...rawText(parts, cut), next: size };
  } finally {
    await fh.close();
  }
}

function rawText(parts: Buffer[], cut: boolean): { raw: string; whole: boolean } {
  const text = Buffer.concat(parts).toString("utf8").replace(/\r$/, "");
  if (!cut && text.length <= RAW_LINE_CHARS) return { raw: text, whole: true };
  return { raw: `${text.slice(0, RAW_LINE_CHARS)}…`, whole: false };
}
