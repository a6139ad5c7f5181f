// Deciding a parsed condition against a run's scope. Never throws: missing data makes a test false
// (or true for not_exists / != / not_contains).
import { type EvalEnv, evaluate, makeEnv } from "../evaluate.ts";
import { renderIn } from "../render.ts";
import type { Condition, MappingScope, Operand } from "../types.ts";
import { toBool } from "../values.ts";
import { compare } from "./compare.ts";

export function evaluateCondition(condition: Condition, scope: MappingScope): boolean {
  return decide(condition, makeEnv(scope));
}

function operand(o: Operand, env: EvalEnv): unknown {
  if (o.kind === "expr") return evaluate(o.expr, env);
  try {
    return renderIn(o.value, env, "", 0, true);
  } catch {
    // Only an unparsed template can fail here, and parseCondition has rejected those.
    return undefined;
  }
}

function decide(c: Condition, env: EvalEnv): boolean {
  switch (c.kind) {
    case "constant":
      return c.value;
    case "all":
      return c.items.every((item) => decide(item, env));
    case "any":
      return c.items.some((item) => decide(item, env));
    case "not":
      return !decide(c.item, env);
    case "truthy":
      return toBool(operand(c.value, env));
    case "compare":
      return compare(c.op, operand(c.left, env), c.right ? operand(c.right, env) : undefined, env.ctx);
  }
}
