// The readable form of conditions:
//   or      := and ( "or" and )*
//   and     := unary ( "and" unary )*
//   unary   := "not" unary | "(" or ")" | test
//   test    := operand [ OP operand | "exists" | "not_exists" ]     (no operator: is it true?)
//   operand := expr | "{{" expr "}}"
import { Lexer, type Token } from "../lexer.ts";
import { type Collected, describeToken, ExprParser } from "../parser.ts";
import { didYouMean } from "../suggest.ts";
import type { CompareOp, Condition, Expr, Operand } from "../types.ts";
import { toRegExp } from "./compare.ts";

export const BINARY_OPS: readonly CompareOp[] = [
  "==",
  "!=",
  ">",
  ">=",
  "<",
  "<=",
  "contains",
  "not_contains",
  "starts_with",
  "ends_with",
  "in",
  "matches",
];
export const UNARY_OPS: readonly CompareOp[] = ["exists", "not_exists"];
export const ALL_OPS: readonly CompareOp[] = [...BINARY_OPS, ...UNARY_OPS];

/** Mistakes people carry over from other languages, and what to write instead. */
export const OP_HINTS: Record<string, string> = {
  "=": "==",
  "===": "==",
  "!==": "!=",
  "<>": "!=",
  equals: "==",
  is: "==",
  "&&": "and",
  "||": "or",
  "!": "not",
  startswith: "starts_with",
  endswith: "ends_with",
  notcontains: "not_contains",
  not_in: "not (... in ...)",
};

export class TextConditionParser {
  private readonly p: ExprParser;

  constructor(
    readonly source: string,
    collected: Collected,
  ) {
    this.p = new ExprParser(new Lexer(source, 0), collected);
  }

  parse(): Condition {
    if (this.p.peek().kind === "eof")
      this.p.fail('empty condition: write a test like trigger.status == "Hot"', 0);
    const out = this.or();
    const t = this.p.peek();
    if (t.kind !== "eof")
      this.p.fail(
        `expected "and", "or" or the end of the condition, found ${describeToken(t)}${this.hint(t)}`,
        t,
      );
    return out;
  }

  private word(text: string): boolean {
    const t = this.p.peek();
    return t.kind === "ident" && t.text === text;
  }

  private or(): Condition {
    const items = [this.and()];
    while (this.word("or")) {
      this.p.next();
      items.push(this.and());
    }
    return items.length === 1 ? items[0]! : { kind: "any", items };
  }

  private and(): Condition {
    const items = [this.unary()];
    while (this.word("and")) {
      this.p.next();
      items.push(this.unary());
    }
    return items.length === 1 ? items[0]! : { kind: "all", items };
  }

  private unary(): Condition {
    return this.p.nest(this.p.peek(), () => {
      if (this.word("not")) {
        this.p.next();
        return { kind: "not", item: this.unary() };
      }
      if (this.p.isPunct("(")) {
        const open = this.p.next();
        const inner = this.or();
        this.p.expectPunct(")", `to close the "(" at column ${open.start + 1}`);
        return inner;
      }
      return this.test();
    });
  }

  private test(): Condition {
    const left = this.operand();
    const t = this.p.peek();
    const op = this.operator(t);
    if (!op) {
      if (t.kind === "op" || (t.kind === "ident" && !["and", "or"].includes(t.text))) {
        this.p.fail(
          `expected an operator (${ALL_OPS.join(" ")}), "and", "or" or the end, found ${describeToken(t)}${this.hint(t)}`,
          t,
        );
      }
      return { kind: "truthy", value: left };
    }
    this.p.next();
    if (UNARY_OPS.includes(op)) return { kind: "compare", left, op };
    if (this.p.peek().kind === "eof")
      this.p.fail(`expected a value after ${op}, found the end`, this.p.peek());
    const right = this.operand();
    if (
      op === "matches" &&
      right.kind === "expr" &&
      right.expr.kind === "literal" &&
      !toRegExp(right.expr.value)
    ) {
      this.p.fail(
        `matches: ${JSON.stringify(right.expr.value)} is not a valid regular expression`,
        right.expr.column - 1,
      );
    }
    return { kind: "compare", left, op, right };
  }

  private operator(t: Token): CompareOp | undefined {
    if (t.kind !== "op" && t.kind !== "ident") return undefined;
    return ALL_OPS.find((op) => op === t.text);
  }

  private operand(): Operand {
    const t = this.p.peek();
    if (t.kind === "open") {
      this.p.next();
      const expr: Expr = this.p.expr();
      const close = this.p.next();
      if (close.kind !== "close") {
        this.p.fail(
          `expected "}}" to close the "{{" at column ${t.start + 1}, found ${describeToken(close)}`,
          close,
        );
      }
      return { kind: "expr", expr };
    }
    return { kind: "expr", expr: this.p.expr() };
  }

  private hint(t: Token): string {
    if (t.kind === "ident" && t.text === "not")
      return ' (write not_contains or not_exists, or put "not" before the test)';
    const known = OP_HINTS[t.text.toLowerCase()];
    if (known) return ` (write ${known})`;
    return t.kind === "ident" ? didYouMean(t.text, ALL_OPS) : "";
  }
}
