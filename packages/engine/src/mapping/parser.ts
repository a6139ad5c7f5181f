// The expression grammar shared by templates and conditions:
//   expr      := primary ( "|" transform )*
//   transform := NAME ( "(" [ expr ( "," expr )* ] ")" )?
//   primary   := path | "text" | number | true | false | null | now | "[" [ expr ( "," expr )* ] "]"
//   path      := ROOT ( "." NAME | "[" integer "]" | "[" "text" "]" )*
// Roots, transform names and arity are checked here so mistakes are reported before a flow runs.
import { type Lexer, SyntaxProblem, type Token } from "./lexer.ts";
import { didYouMean } from "./suggest.ts";
import { arity, getTransform, TRANSFORM_DEFS } from "./transforms/index.ts";
import type { Expr, Root, Segment } from "./types.ts";

export const ROOTS: readonly Root[] = ["trigger", "steps", "vars", "env", "tables"];
const KEYWORDS: Record<string, true | false | null> = { true: true, false: false, null: null };
const MAX_NESTING = 64;
const NAME = /^[\p{L}_$][\p{L}\p{N}_$-]*$/u;

/** What parsing found besides the tree, for validation. */
export interface Collected {
  refs: string[];
  tables: string[];
}

/** "steps.a.output.items[0]", with ["odd key"] for keys that are not plain names. */
export function formatRef(root: Root, segments: Segment[]): string {
  let out: string = root;
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else out += NAME.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** How a token reads in an error message. */
export function describeToken(t: Token): string {
  if (t.kind === "eof") return "the end";
  if (t.kind === "string") return `text ${t.text}`;
  if (t.kind === "number") return `the number ${t.text}`;
  return `"${t.text}"`;
}

const HINTS: Record<string, string> = {
  "||": ' (to fall back to another value, write | default("..."))',
  "=": " (comparisons belong in conditions, written ==)",
  "==": " (comparisons belong in conditions: a filter or when:)",
};

/** A pointer for operators that do not belong in a template. */
export const hintFor = (t: Token): string => (t.kind === "op" ? (HINTS[t.text] ?? "") : "");

export class ExprParser {
  private readonly buffer: Token[] = [];
  private depth = 0;

  constructor(
    private readonly lexer: Lexer,
    private readonly collected: Collected,
  ) {}

  peek(ahead = 0): Token {
    while (this.buffer.length <= ahead) this.buffer.push(this.lexer.next());
    return this.buffer[ahead]!;
  }

  next(): Token {
    const t = this.peek();
    this.buffer.shift();
    return t;
  }

  fail(message: string, at: Token | number): never {
    throw new SyntaxProblem(message, typeof at === "number" ? at : at.start);
  }

  isPunct(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === "punct" && t.text === text;
  }

  expectPunct(text: string, what: string): Token {
    const t = this.next();
    if (t.kind !== "punct" || t.text !== text)
      this.fail(`expected "${text}" ${what}, found ${describeToken(t)}`, t);
    return t;
  }

  /** Guards the recursion: nothing a person writes nests this deep. */
  nest<T>(at: Token, fn: () => T): T {
    if (++this.depth > MAX_NESTING) this.fail(`nested more than ${MAX_NESTING} levels deep`, at);
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  expr(): Expr {
    return this.nest(this.peek(), () => {
      let out = this.primary();
      for (let count = 1; this.isPunct("|"); count++) {
        const bar = this.next();
        if (count > MAX_NESTING) this.fail(`more than ${MAX_NESTING} transforms in a row`, bar);
        out = this.transform(out);
      }
      return out;
    });
  }

  private primary(): Expr {
    const t = this.next();
    const column = t.start + 1;
    if (t.kind === "string" || t.kind === "number") {
      return { kind: "literal", value: t.value as string | number, column };
    }
    if (t.kind === "punct" && t.text === "[") return this.list(t);
    if (t.kind === "ident") {
      if (Object.hasOwn(KEYWORDS, t.text)) return { kind: "literal", value: KEYWORDS[t.text]!, column };
      if (t.text === "now") return { kind: "now", column };
      if ((ROOTS as readonly string[]).includes(t.text)) return this.path(t);
      if (getTransform(t.text)) {
        this.fail(`"${t.text}" is a transform: pipe a value into it, like trigger.name | ${t.text}`, t);
      }
      this.fail(
        `unknown name "${t.text}": a path starts with ${ROOTS.join(", ")}${didYouMean(t.text, [...ROOTS, "now"])}`,
        t,
      );
    }
    this.fail(
      `expected a value (a path like trigger.email, "text", a number, true, false, null or a [list]), found ${describeToken(t)}${hintFor(t)}`,
      t,
    );
  }

  private list(open: Token): Expr {
    const items: Expr[] = [];
    if (!this.isPunct("]")) {
      items.push(this.expr());
      while (this.isPunct(",")) {
        this.next();
        items.push(this.expr());
      }
    }
    this.expectPunct("]", `to close the list opened at column ${open.start + 1}`);
    return { kind: "list", items, column: open.start + 1 };
  }

  private path(rootToken: Token): Expr {
    const root = rootToken.text as Root;
    const segments: Segment[] = [];
    const at: Token[] = [];
    for (;;) {
      if (this.isPunct(".")) {
        this.next();
        const t = this.next();
        if (t.kind === "ident") segments.push(t.text);
        else if (t.kind === "number" && /^\d+$/.test(t.text)) segments.push(Number(t.text));
        else this.fail(`expected a field name after ".", found ${describeToken(t)}`, t);
        at.push(t);
      } else if (this.isPunct("[")) {
        const open = this.next();
        const t = this.next();
        if (t.kind === "string") segments.push(t.value as string);
        else if (t.kind === "number" && Number.isInteger(t.value)) segments.push(t.value as number);
        else
          this.fail(
            `expected a position like [0] or a key like ["first name"], found ${describeToken(t)}`,
            t,
          );
        at.push(open);
        this.expectPunct("]", `to close the "[" at column ${open.start + 1}`);
      } else break;
    }
    this.checkRoot(root, segments, at, rootToken);
    this.collected.refs.push(formatRef(root, segments));
    return { kind: "path", root, segments, column: rootToken.start + 1 };
  }

  private checkRoot(root: Root, segments: Segment[], at: Token[], rootToken: Token): void {
    if (root === "steps") {
      const [id, output] = segments;
      if (typeof id !== "string")
        this.fail("expected a step id after steps, like steps.lookup.output", at[0] ?? rootToken);
      if (output !== "output") {
        this.fail(
          `a step's result is read as steps.${id}.output${segments.length > 1 ? ` (found "${String(output)}")` : ""}`,
          at[1] ?? at[0]!,
        );
      }
    }
    if ((root === "env" || root === "tables") && typeof segments[0] !== "string") {
      this.fail(
        `expected a name after ${root}, like ${root === "env" ? "env.API_KEY" : "tables.statuses"}`,
        rootToken,
      );
    }
  }

  private transform(input: Expr): Expr {
    const t = this.next();
    if (t.kind !== "ident") this.fail(`expected a transform name after "|", found ${describeToken(t)}`, t);
    const def = getTransform(t.text);
    if (!def) {
      this.fail(
        `unknown transform "${t.text}"${didYouMean(t.text, Object.keys(TRANSFORM_DEFS))}; see docs/mapping.md for the list`,
        t,
      );
    }
    const args: Expr[] = [];
    if (this.isPunct("(")) {
      const open = this.next();
      if (!this.isPunct(")")) {
        args.push(this.expr());
        while (this.isPunct(",")) {
          this.next();
          args.push(this.expr());
        }
      }
      const close = this.next();
      if (close.kind !== "punct" || close.text !== ")") {
        this.fail(
          `expected "," or ")" in the arguments of ${t.text}(...) opened at column ${open.start + 1}, found ${describeToken(close)}`,
          close,
        );
      }
    }
    const { min, max } = arity(def);
    const signature = `${t.text}(${def.args.join(", ")})`;
    if (args.length < min || args.length > max) {
      const n = min === max ? min : args.length < min ? min : max;
      const bound = min === max ? "" : args.length < min ? "at least " : "at most ";
      this.fail(`${signature} takes ${bound}${n} argument${n === 1 ? "" : "s"}, found ${args.length}`, t);
    }
    args.forEach((arg, i) => {
      if (arg.kind !== "literal" || !def.checkArg) return;
      const problem = def.checkArg(i, arg.value);
      if (!problem) return;
      const name = def.args[i]!.replace("?", "");
      this.fail(
        `${signature}: ${problem.startsWith("must") ? `${name} ${problem}` : problem}`,
        arg.column - 1,
      );
    });
    const table = args[0];
    if (t.text === "lookup" && table?.kind === "literal" && typeof table.value === "string") {
      this.collected.tables.push(table.value);
    }
    return { kind: "pipe", input, name: t.text, args, column: t.start + 1 };
  }
}
