// What the expression autocomplete offers at the cursor: inside `{{ … }}`, the fields of the trigger
// and earlier steps (from their samples) and vars; after a `|`, the transforms with their arguments.
import type { Transform } from "../api/types.ts";

export interface Suggestion {
  /** Shown and matched. */
  label: string;
  /** Inserted in place of the typed prefix. */
  insert: string;
  /** A sample value or a transform's description. */
  detail: string;
  kind: "field" | "transform";
}

export interface CursorContext {
  mode: "field" | "transform";
  /** What the person typed of the current name (replaced on accept). */
  prefix: string;
  /** Where the prefix starts in the text. */
  start: number;
  /** The expression is still open: accepting should close it with " }}". */
  open: boolean;
}

/** Where the cursor is: inside an open `{{ … }}` (and after a pipe or not), or outside any. */
export function cursorContext(text: string, cursor: number): CursorContext | undefined {
  const before = text.slice(0, cursor);
  const opened = before.lastIndexOf("{{");
  if (opened < 0 || before.lastIndexOf("}}") > opened) return undefined;
  const inside = before.slice(opened + 2);
  const open = !text.slice(cursor).includes("}}");
  // Inside a quoted argument nothing is offered.
  if ((inside.match(/['"]/g)?.length ?? 0) % 2 === 1) return undefined;
  const pipe = inside.lastIndexOf("|");
  const paren = inside.lastIndexOf("(");
  if (pipe >= 0 && pipe > paren) {
    const after = inside.slice(pipe + 1);
    const prefix = after.trimStart();
    if (/[^A-Za-z0-9_]/.test(prefix)) return undefined;
    return { mode: "transform", prefix, start: cursor - prefix.length, open };
  }
  const m = /[A-Za-z0-9_.[\]]*$/.exec(inside);
  const prefix = m?.[0] ?? "";
  return { mode: "field", prefix, start: cursor - prefix.length, open };
}

/** Every path of a sample value, to `maxDepth` levels, with a short rendering of its value. */
export function samplePaths(
  root: string,
  value: unknown,
  maxDepth = 4,
): Array<{ path: string; sample: string }> {
  const out: Array<{ path: string; sample: string }> = [];
  const walk = (path: string, v: unknown, depth: number) => {
    out.push({ path, sample: short(v) });
    if (depth >= maxDepth || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) {
      if (v.length) walk(`${path}[0]`, v[0], depth + 1);
      return;
    }
    for (const [k, child] of Object.entries(v)) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) walk(`${path}.${k}`, child, depth + 1);
    }
  };
  walk(root, value, 0);
  return out;
}

function short(v: unknown): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v.length > 40 ? `"${v.slice(0, 37)}…"` : `"${v}"`;
  if (Array.isArray(v)) return `list of ${v.length}`;
  if (v && typeof v === "object") return "{…}";
  return String(v);
}

export function suggestions(
  ctx: CursorContext,
  sources: { trigger: unknown; steps: Record<string, unknown>; vars: Record<string, unknown> },
  transforms: Transform[],
  limit = 40,
): Suggestion[] {
  const p = ctx.prefix.toLowerCase();
  if (ctx.mode === "transform") {
    return transforms
      .filter((t) => t.name.toLowerCase().startsWith(p))
      .slice(0, limit)
      .map((t) => ({
        label: t.args.length ? `${t.name}(${t.args.join(", ")})` : t.name,
        insert: t.args.length ? `${t.name}(` : t.name,
        detail: t.description,
        kind: "transform",
      }));
  }
  const fields = [
    ...(sources.trigger === undefined ? [] : samplePaths("trigger", sources.trigger).slice(1)),
    ...Object.entries(sources.steps).flatMap(([id, out]) => samplePaths(`steps.${id}.output`, out).slice(1)),
    ...Object.entries(sources.vars).map(([k, v]) => ({ path: `vars.${k}`, sample: short(v) })),
    { path: "now", sample: "the current time" },
  ];
  // Names that start with what was typed come first, then names that contain it anywhere.
  const starts = fields.filter((f) => f.path.toLowerCase().startsWith(p));
  const contains = p
    ? fields.filter((f) => !f.path.toLowerCase().startsWith(p) && f.path.toLowerCase().includes(p))
    : [];
  return [...starts, ...contains].slice(0, limit).map((f) => ({
    label: f.path,
    insert: f.path,
    detail: f.sample,
    kind: "field",
  }));
}

/** The text after accepting a suggestion, and where the cursor goes. */
export function accept(
  text: string,
  cursor: number,
  ctx: CursorContext,
  s: Suggestion,
): { text: string; cursor: number } {
  const head = text.slice(0, ctx.start);
  let tail = text.slice(cursor);
  let insert = s.insert;
  let caret = head.length + insert.length;
  if (s.kind === "transform" && insert.endsWith("(")) {
    insert += ")";
    caret = head.length + insert.length - 1;
  } else if (ctx.open) {
    tail = ` }}${tail}`;
  }
  if (s.kind === "field" && ctx.open) caret = head.length + insert.length;
  return { text: head + insert + tail, cursor: caret };
}
