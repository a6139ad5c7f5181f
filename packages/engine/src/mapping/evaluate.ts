// Evaluating a parsed expression against a scope. Missing data is undefined, never an error, and a
// transform that fails on odd input yields null rather than stopping the run.
import { DateTime } from "luxon";
import { getTransform } from "./transforms/index.ts";
import { type TransformContext, ValueTooLargeError } from "./transforms/types.ts";
import type { Expr, MappingScope } from "./types.ts";
import { child, isDateTime, isMissing, isoOf } from "./values.ts";

/** A scope with its defaults resolved, built once per render. */
export interface EvalEnv {
  scope: MappingScope;
  ctx: TransformContext;
}

export function makeEnv(scope: MappingScope): EvalEnv {
  const zone = scope.timeZone && DateTime.utc().setZone(scope.timeZone).isValid ? scope.timeZone : "UTC";
  return {
    scope,
    ctx: {
      zone,
      now: scope.now ?? (() => new Date()),
      country: scope.defaultCountry || "US",
      tables: scope.tables ?? {},
      maxLength: scope.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH,
    },
  };
}

function rootValue(expr: Extract<Expr, { kind: "path" }>, scope: MappingScope): unknown {
  switch (expr.root) {
    case "trigger":
      return scope.trigger;
    case "steps":
      return scope.steps;
    case "vars":
      return scope.vars;
    case "env":
      return scope.env;
    case "tables":
      return scope.tables;
  }
}

export function evaluate(expr: Expr, env: EvalEnv): unknown {
  switch (expr.kind) {
    case "literal":
      return expr.value;
    case "now":
      return DateTime.fromJSDate(env.ctx.now(), { zone: env.ctx.zone });
    case "list":
      return expr.items.map((item) => evaluate(item, env));
    case "path": {
      let value = rootValue(expr, env.scope);
      for (const segment of expr.segments) {
        if (isMissing(value)) return undefined;
        value = child(value, segment);
      }
      return value;
    }
    case "pipe": {
      const input = evaluate(expr.input, env);
      const def = getTransform(expr.name);
      if (!def) return undefined;
      if (isMissing(input) && !def.acceptsMissing) return input;
      const args = expr.args.map((a) => evaluate(a, env));
      let out: unknown;
      try {
        out = def.apply(input, args, env.ctx);
      } catch (err) {
        if (err instanceof ValueTooLargeError) throw tooLarge(expr.name, err.limit);
        // Transforms are written not to throw; this keeps a run alive if one still does.
        return null;
      }
      // Only what a transform builds counts: a value passed through (or picked out of its input) was
      // already there, and the step's input is capped as a whole.
      const max = env.ctx.maxLength;
      if (out !== input && longerThan(out, max) && !longerThan([input, args], max))
        throw tooLarge(expr.name, max);
      return out;
    }
  }
}

/** 1 MiB: far above any field HighLevel takes, far below what stalls the process. */
export const DEFAULT_MAX_VALUE_LENGTH = 1024 * 1024;

function tooLarge(transform: string, limit: number): Error {
  return new Error(
    `the output of "${transform}" is over the limit of ${limit} characters (set HLCONNECT_MAX_VALUE_BYTES to change it)`,
  );
}

/** Whether a value's text (strings and list/object members, counted without building it) passes limit. */
export function longerThan(value: unknown, limit: number): boolean {
  let total = 0;
  const stack: unknown[] = [value];
  const seen = new Set<object>(); // a cyclic value counts each object once
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "object" && v !== null) {
      if (seen.has(v)) continue;
      seen.add(v);
    }
    if (typeof v === "string") total += v.length;
    else if (Array.isArray(v)) {
      total += v.length;
      for (const child of v) stack.push(child);
    } else if (isPlainObjectValue(v)) {
      for (const [k, child] of Object.entries(v)) {
        total += k.length + 1;
        stack.push(child);
      }
    } else total += 8;
    if (total > limit) return true;
  }
  return false;
}

function isPlainObjectValue(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !isDateTime(v);
}

/** Dates leave the language as ISO text, so outputs are plain JSON. */
export function finalize(value: unknown): unknown {
  if (isDateTime(value)) return value.isValid ? isoOf(value) : null;
  if (Array.isArray(value) && value.some(isDateTime)) return value.map(finalize);
  return value;
}
