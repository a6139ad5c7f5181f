// Evaluating a parsed expression against a scope. Missing data is undefined, never an error, and a
// transform that fails on odd input yields null rather than stopping the run.
import { DateTime } from "luxon";
import { getTransform } from "./transforms/index.ts";
import type { TransformContext } from "./transforms/types.ts";
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
      try {
        return def.apply(input, args, env.ctx);
      } catch {
        // Transforms are written not to throw; this keeps a run alive if one still does.
        return null;
      }
    }
  }
}

/** Dates leave the language as ISO text, so outputs are plain JSON. */
export function finalize(value: unknown): unknown {
  if (isDateTime(value)) return value.isValid ? isoOf(value) : null;
  if (Array.isArray(value) && value.some(isDateTime)) return value.map(finalize);
  return value;
}
