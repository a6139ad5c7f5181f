// The shapes the mapping language works with: the scope values are read from, and the parsed forms
// of templates and conditions (plain data, so flows can be validated once and run many times).

/** What expressions read: the trigger's output, earlier steps' outputs, and the flow's settings. */
export interface MappingScope {
  trigger: unknown;
  steps: Record<string, { output: unknown }>;
  vars?: Record<string, unknown>;
  tables?: Record<string, Record<string, unknown>>;
  /** Values for `env.NAME`; the runner decides which variables a flow may read. */
  env?: Record<string, string | undefined>;
  /** The clock, injected so runs and tests are deterministic. Defaults to the system clock. */
  now?: () => Date;
  /** ISO 3166 country for phone numbers written without a country code. Defaults to "US". */
  defaultCountry?: string;
  /** IANA zone for dates without an offset and for formatting. Defaults to "UTC". */
  timeZone?: string;
  /** The longest value a transform or a text template may produce, in characters. Default 1 MiB. */
  maxValueLength?: number;
}

/** The places a path can start from. */
export type Root = "trigger" | "steps" | "vars" | "env" | "tables";

export type Segment = string | number;

/** An expression; `column` is 1-based in the source it was parsed from. */
export type Expr =
  | { kind: "literal"; value: string | number | boolean | null; column: number }
  | { kind: "path"; root: Root; segments: Segment[]; column: number }
  | { kind: "now"; column: number }
  | { kind: "list"; items: Expr[]; column: number }
  | { kind: "pipe"; input: Expr; name: string; args: Expr[]; column: number };

export type TemplatePart = { kind: "text"; text: string } | { kind: "expr"; expr: Expr };

export interface Template {
  source: string;
  parts: TemplatePart[];
  /** Set when the source is one `{{ expr }}` (blank text around it allowed): the value keeps its type. */
  single?: Expr;
  refs: string[];
  /** Table names given literally to `lookup(...)`. */
  tables: string[];
}

export type CompareOp =
  | "=="
  | "!="
  | ">"
  | ">="
  | "<"
  | "<="
  | "contains"
  | "not_contains"
  | "starts_with"
  | "ends_with"
  | "in"
  | "exists"
  | "not_exists"
  | "matches";

/** A side of a comparison: an expression (string form) or a mapping value (structured form). */
export type Operand = { kind: "expr"; expr: Expr } | { kind: "value"; value: unknown };

export type Condition =
  | { kind: "all"; items: Condition[] }
  | { kind: "any"; items: Condition[] }
  | { kind: "not"; item: Condition }
  | { kind: "compare"; left: Operand; op: CompareOp; right?: Operand }
  | { kind: "truthy"; value: Operand }
  | { kind: "constant"; value: boolean };
