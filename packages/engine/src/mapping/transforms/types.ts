// What a transform is: its help (published as TRANSFORMS), a check of literal arguments at parse
// time, and the function applied to the piped value.

/** What transforms read besides their input and arguments, resolved once per render. */
export interface TransformContext {
  zone: string;
  now: () => Date;
  country: string;
  tables: Record<string, Record<string, unknown>>;
  /** The longest value a transform may produce, in characters (see MappingScope.maxValueLength). */
  maxLength: number;
}

/** A transform's output would pass maxLength: the render stops (unlike bad input, which gives null). */
export class ValueTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`over the limit of ${limit} characters`);
    this.name = "ValueTooLargeError";
  }
}

export interface TransformDef {
  describe: string;
  /** Argument names; a trailing "?" marks an optional one. */
  args: string[];
  /** Examples for the docs and their test: [expression, result as JSON, note]. */
  examples: Array<[string, string] | [string, string, string]>;
  /** Called for missing (null/undefined) input too; other transforms pass missing input through. */
  acceptsMissing?: boolean;
  /** A literal argument's problem ("unknown time zone ..."), caught at parse time. */
  checkArg?: (index: number, value: unknown) => string | undefined;
  /** Never throws for bad input: returns null (or the input) as `describe` says. */
  apply: (input: unknown, args: unknown[], ctx: TransformContext) => unknown;
}

export type TransformTable = Record<string, TransformDef>;
