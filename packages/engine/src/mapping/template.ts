// Templates: text with `{{ expression }}` parts. Parsed once (and cached) so a flow is validated
// before it runs and rendering does no parsing.
import { Lexer, SyntaxProblem } from "./lexer.ts";
import { type Collected, describeToken, ExprParser, hintFor } from "./parser.ts";
import type { Template, TemplatePart } from "./types.ts";

export type TemplateResult =
  | { ok: true; template: Template; refs: string[] }
  | { ok: false; error: string; column: number };

const unique = (xs: string[]) => [...new Set(xs)];

export function parseTemplate(source: string): TemplateResult {
  const collected: Collected = { refs: [], tables: [] };
  const parts: TemplatePart[] = [];
  try {
    let pos = 0;
    while (pos < source.length) {
      const open = source.indexOf("{{", pos);
      if (open < 0) {
        parts.push({ kind: "text", text: source.slice(pos) });
        break;
      }
      if (open > pos) parts.push({ kind: "text", text: source.slice(pos, open) });
      const parser = new ExprParser(new Lexer(source, open + 2), collected);
      if (parser.peek().kind === "close") {
        parser.fail('empty expression: write a value between "{{" and "}}", like {{ trigger.email }}', open);
      }
      parts.push({ kind: "expr", expr: parser.expr() });
      const close = parser.next();
      if (close.kind !== "close") {
        parser.fail(
          `expected "}}" to close the expression opened at column ${open + 1}, found ${describeToken(close)}${hintFor(close)}`,
          close,
        );
      }
      pos = close.end;
    }
  } catch (e) {
    if (e instanceof SyntaxProblem) return { ok: false, error: e.message, column: e.offset + 1 };
    throw e;
  }
  const refs = unique(collected.refs);
  const exprs = parts.filter((p) => p.kind === "expr");
  const blank = parts.every((p) => p.kind === "expr" || p.text.trim() === "");
  const template: Template = { source, parts, refs, tables: unique(collected.tables) };
  if (exprs.length === 1 && blank) template.single = exprs[0]!.expr;
  return { ok: true, template, refs };
}

const CACHE_LIMIT = 5000;
const cache = new Map<string, TemplateResult>();

/** parseTemplate with a bounded cache: flows render the same few strings over and over. */
export function parseTemplateCached(source: string): TemplateResult {
  let hit = cache.get(source);
  if (!hit) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    hit = parseTemplate(source);
    cache.set(source, hit);
  }
  return hit;
}
