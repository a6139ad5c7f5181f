// Tokens of an expression, read on demand from a position in the source so a template's
// expression ends at its `}}` even when a quoted string inside it contains "}}".

export type TokenKind = "ident" | "number" | "string" | "punct" | "op" | "open" | "close" | "eof";

export interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** The decoded value of a string or number. */
  value?: string | number;
  /** 0-based offsets into the source. */
  start: number;
  end: number;
}

/** A syntax error at a 0-based offset; parsers turn it into a 1-based column. */
export class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const IDENT_START = /[\p{L}_$]/u;
const IDENT_PART = /[\p{L}\p{N}_$-]/u;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// Longest first, so "==" is not read as "=" then "=".
const OPERATORS = ["===", "!==", "==", "!=", ">=", "<=", "&&", "||", ">", "<", "=", "!"];
const PUNCT = ".[](),|";
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "'": "'", "\\": "\\" };

export class Lexer {
  private pos: number;

  constructor(
    readonly source: string,
    start: number,
  ) {
    this.pos = start;
  }

  next(): Token {
    const src = this.source;
    while (this.pos < src.length && /\s/.test(src[this.pos]!)) this.pos++;
    const start = this.pos;
    if (start >= src.length) return { kind: "eof", text: "", start, end: start };
    const c = src[start]!;
    const two = src.slice(start, start + 2);
    if (two === "{{" || two === "}}") return this.take(two === "{{" ? "open" : "close", 2);
    if (c === '"' || c === "'") return this.string(c);
    NUMBER.lastIndex = start;
    const num = NUMBER.exec(src);
    if (num && (c !== "-" || num[0].length > 1)) {
      const token = this.take("number", num[0].length);
      token.value = Number(num[0]);
      return token;
    }
    if (IDENT_START.test(c)) {
      let end = start + 1;
      while (end < src.length && IDENT_PART.test(src[end]!)) end++;
      return this.take("ident", end - start);
    }
    if (PUNCT.includes(c) && two !== "||") return this.take("punct", 1);
    const op = OPERATORS.find((o) => src.startsWith(o, start));
    if (op) return this.take("op", op.length);
    throw new SyntaxProblem(`unexpected character "${c}"`, start);
  }

  private take(kind: TokenKind, length: number): Token {
    const start = this.pos;
    this.pos += length;
    return { kind, text: this.source.slice(start, this.pos), start, end: this.pos };
  }

  /** A quoted string; unknown escapes keep their backslash so regex patterns like "\d" survive. */
  private string(quote: string): Token {
    const src = this.source;
    const start = this.pos;
    let out = "";
    let i = start + 1;
    while (i < src.length) {
      const c = src[i]!;
      if (c === quote) {
        this.pos = i + 1;
        return { kind: "string", text: src.slice(start, i + 1), value: out, start, end: i + 1 };
      }
      if (c === "\\" && i + 1 < src.length) {
        const e = src[i + 1]!;
        const hex = /^u[0-9a-fA-F]{4}/.exec(src.slice(i + 1, i + 6));
        if (hex) {
          out += String.fromCharCode(Number.parseInt(hex[0].slice(1), 16));
          i += 6;
          continue;
        }
        out += ESCAPES[e] ?? `\\${e}`;
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    throw new SyntaxProblem(
      `unterminated text: expected a closing ${quote} for the text that starts here`,
      start,
    );
  }
}
