// Lists an agent can read: a tool whose answer holds a list returns as many items as fit in a
// readable answer, plus a `nextCursor` for the rest. The cursor is stateless (the arguments of the
// request to make and how many of its items were already returned), so it works the same over stdio
// and over HTTP, and after a restart. Past the end of one page of HighLevel's, the next page's
// arguments come from the client's pagination table (every style HighLevel uses), when the entry
// exposes the paging parameters.
import type { CatalogEntry } from "@hlconnect/catalog";
import {
  getOperation,
  HighLevelError,
  type PaginationSpec,
  pages,
  paginationFor,
  requestSchema,
} from "@hlconnect/client";

/** About 6,000 tokens: room for an agent to read the answer and still work. */
export const MAX_ANSWER_CHARS = 24_000;
/** Page size asked of HighLevel where the entry lets us choose it. */
export const PAGE_SIZE = 25;

type Json = Record<string, unknown>;

export interface Cursor {
  /** The tool it belongs to. */
  t: string;
  /** The arguments of the request to make. */
  a: Json;
  /** Items of that request's answer already returned. */
  s: number;
}

export class CursorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CursorError";
  }
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

export function decodeCursor(text: string, tool: string): Cursor {
  let c: Cursor;
  try {
    c = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Cursor;
  } catch {
    throw new CursorError(
      "cursor: not a cursor this server gave (pass nextCursor from the last answer as it is)",
    );
  }
  if (!c || typeof c !== "object" || typeof c.a !== "object" || !Number.isInteger(c.s) || c.s < 0) {
    throw new CursorError(
      "cursor: not a cursor this server gave (pass nextCursor from the last answer as it is)",
    );
  }
  if (c.t !== tool) throw new CursorError(`cursor: this cursor belongs to the ${c.t} tool, not ${tool}`);
  return c;
}

function getPath(value: unknown, path: string): unknown {
  if (path === "") return value;
  let cur = value;
  for (const part of path.split(".")) {
    if (!cur || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Json)[part];
  }
  return cur;
}

/** The path of the largest array nearest the top of a value ("" for the value itself). */
export function findItemsPath(value: unknown, depth = 3): string | undefined {
  if (Array.isArray(value)) return "";
  let level: Array<[string, unknown]> = [["", value]];
  for (let d = 0; d < depth && level.length; d++) {
    const arrays: Array<[string, unknown[]]> = [];
    const next: Array<[string, unknown]> = [];
    for (const [path, v] of level) {
      if (!v || typeof v !== "object" || Array.isArray(v)) continue;
      for (const [k, x] of Object.entries(v as Json)) {
        const p = path ? `${path}.${k}` : k;
        if (Array.isArray(x)) arrays.push([p, x]);
        else if (x && typeof x === "object") next.push([p, x]);
      }
    }
    if (arrays.length) {
      arrays.sort((a, b) => JSON.stringify(b[1]).length - JSON.stringify(a[1]).length);
      return arrays[0]![0];
    }
    level = next;
  }
  return undefined;
}

/** The entry's paginated operation, when it is one call whose paging parameters the entry exposes. */
function pagingOf(e: CatalogEntry): { op: string; spec: PaginationSpec; shape: string[] } | undefined {
  if (e.operations.length === 0) return undefined;
  const op = getOperation(e.operations[0]!);
  const spec = paginationFor(op.key, op.parameters);
  if (!spec) return undefined;
  const shape = Object.keys((e.input as unknown as { shape?: object }).shape ?? {});
  const needs: Record<PaginationSpec["style"], string[]> = {
    keyset: ["startAfter", "startAfterId"],
    search: ["page", spec.sizeParam ?? "pageLimit", "searchAfter"],
    "skip-limit": ["skip"],
    "limit-offset": ["offset"],
    "start-after-date": ["startAfterDate"],
    "last-message-id": ["lastMessageId"],
    page: ["page"],
    cursor: [spec.cursorParam ?? "cursor"],
  };
  return needs[spec.style].every((p) => shape.includes(p)) ? { op: op.key, spec, shape } : undefined;
}

/** Where an entry's list is: the pagination table's item path, else the array in its output sample. */
export function itemsPathOf(e: CatalogEntry): string | undefined {
  const op = e.operations[0] ? getOperation(e.operations[0]) : undefined;
  const items = op ? paginationFor(op.key, op.parameters)?.items : undefined;
  if (items !== undefined) return items;
  // Else a list at the top of a small wrapper ({contacts, total}) in a sample: arrays inside one record
  // (a contact's tags, an email's recipients) are not what an agent pages through. A trigger's sample
  // is one emitted item; what its read answers is usually the operation's response.
  const samples =
    e.kind === "trigger" && op ? [requestSchema(op.key)?.responseSample, e.output.sample] : [e.output.sample];
  for (const sample of samples) {
    if (sample && typeof sample === "object" && !Array.isArray(sample) && Object.keys(sample).length > 4)
      continue;
    const path = findItemsPath(sample, 1);
    if (path !== undefined) return path;
  }
  return undefined;
}

/** Whether a read's answer holds a list: known from the declarations, or a paginated operation's. */
export function isListTool(e: CatalogEntry): boolean {
  if (itemsPathOf(e) !== undefined) return true;
  const op = e.operations[0] ? getOperation(e.operations[0]) : undefined;
  return op !== undefined && paginationFor(op.key, op.parameters) !== undefined;
}

export interface PagedAnswer {
  output: unknown;
  nextCursor?: string;
}

/** Room kept in an answer for its nextCursor. */
const CURSOR_RESERVE = 1_000;

const STOP = Symbol("next page request captured");

/**
 * Run a list tool: `run(args)` makes one request with the entry's input. Returns the output with its
 * list cut to what fits, and the cursor for the rest (the same request further on, or the next page).
 */
export async function runPaged(
  tool: string,
  e: CatalogEntry,
  args: Json,
  run: (input: Json) => Promise<unknown>,
): Promise<PagedAnswer> {
  const rawCursor = args.cursor;
  const { cursor: _c, ...rest } = args;
  const start =
    typeof rawCursor === "string" && rawCursor
      ? decodeCursor(rawCursor, tool)
      : rawCursor === undefined || rawCursor === null
        ? { t: tool, a: rest, s: 0 }
        : (() => {
            throw new CursorError("cursor: must be the nextCursor text of the previous answer");
          })();

  const paging = pagingOf(e);
  let output: unknown;
  // What was asked (the paginator adds page and size defaults) and what would be asked next.
  let sentInput: Json = start.a;
  let nextInput: Json | undefined;
  if (paging) {
    // The client's paginator drives the request: its first request is the one we make, and the one it
    // would make next is captured instead of sent.
    const inBody = paging.spec.in === "body";
    const sizeParam = paging.spec.sizeParam ?? (paging.spec.style === "search" ? "pageLimit" : "limit");
    const options = paging.shape.includes(sizeParam) ? { pageSize: PAGE_SIZE, maxPages: 2 } : { maxPages: 2 };
    let made = 0;
    const call = async (_op: string, params: Json, body?: unknown) => {
      const input = { ...params, ...((body as Json | undefined) ?? {}) };
      if (made++ === 0) {
        sentInput = input;
        output = await run(input);
        return output;
      }
      nextInput = input;
      throw STOP;
    };
    const iterator = pages(
      call,
      paging.spec,
      paging.op,
      inBody ? {} : start.a,
      inBody ? start.a : undefined,
      options,
    );
    const first = await iterator.next();
    try {
      if (!first.done) await iterator.next();
    } catch (err) {
      // A paginator that sees no safe way on (a repeated cursor) just means: no next page.
      if (err !== STOP && !(err instanceof HighLevelError && err.code === "PAGINATION_LOOP")) throw err;
    }
    if (made === 0) output = await run(start.a);
  } else {
    output = await run(start.a);
  }

  const path = itemsPathOf(e) ?? findItemsPath(output, 1);
  const items = path === undefined ? undefined : getPath(output, path);
  if (!Array.isArray(items)) return { output };

  const remaining = items.slice(start.s);
  const budget = MAX_ANSWER_CHARS - CURSOR_RESERVE - JSON.stringify(withItems(output, path!, [])).length;
  let used = 0;
  let n = 0;
  for (const item of remaining) {
    const size = JSON.stringify(item).length + 1;
    if (n > 0 && used + size > budget) break;
    used += size;
    n++;
  }
  const cut = withItems(output, path!, remaining.slice(0, n));
  if (n < remaining.length) {
    return { output: cut, nextCursor: encodeCursor({ t: tool, a: sentInput, s: start.s + n }) };
  }
  if (nextInput && items.length > 0) {
    return { output: cut, nextCursor: encodeCursor({ t: tool, a: nextInput, s: 0 }) };
  }
  return { output: cut };
}

/** A copy of `value` with the array at `path` replaced. */
function withItems(value: unknown, path: string, items: unknown[]): unknown {
  if (path === "") return items;
  const [head, ...tail] = path.split(".");
  const obj = (value ?? {}) as Json;
  return { ...obj, [head!]: withItems(obj[head!], tail.join("."), items) };
}
