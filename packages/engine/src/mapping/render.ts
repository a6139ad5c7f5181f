// Rendering a step's mapped input: strings with templates, inside any nesting of objects and lists.
import { type EvalEnv, evaluate, finalize, makeEnv } from "./evaluate.ts";
import { parseTemplateCached } from "./template.ts";
import type { MappingScope, Template } from "./types.ts";
import { isPlainObject, toText } from "./values.ts";

/** A template in a mapped value that does not parse; validation reports these before a run. */
export class MappingError extends Error {
  constructor(
    message: string,
    /** Where in the value, like `body.tags[0]`; "" for the value itself. */
    readonly path: string,
    /** 1-based position in the string. */
    readonly column: number,
  ) {
    super(message);
    this.name = "MappingError";
  }
}

/** YAML aliases can nest a value in itself; nothing a person writes is this deep. */
const MAX_DEPTH = 64;

export function renderTemplate(template: Template, env: EvalEnv, keepDates = false): unknown {
  if (template.single) {
    const value = evaluate(template.single, env);
    return keepDates ? value : finalize(value);
  }
  let out = "";
  for (const part of template.parts) {
    out += part.kind === "text" ? part.text : toText(evaluate(part.expr, env));
    if (out.length > env.ctx.maxLength)
      throw new Error(`the text is over the limit of ${env.ctx.maxLength} characters`);
  }
  return out;
}

/** Renders a whole mapped value; a string that is one `{{ expr }}` keeps the expression's type. */
export function renderValue(value: unknown, scope: MappingScope): unknown {
  return renderIn(value, makeEnv(scope), "", 0, false);
}

export function renderIn(
  value: unknown,
  env: EvalEnv,
  path: string,
  depth: number,
  keepDates: boolean,
): unknown {
  if (depth > MAX_DEPTH)
    throw new MappingError(`${path || "value"}: nested more than ${MAX_DEPTH} levels`, path, 1);
  if (typeof value === "string") {
    if (!value.includes("{{")) return value;
    const parsed = parseTemplateCached(value);
    if (!parsed.ok) {
      throw new MappingError(
        `${path || "value"}: ${parsed.error} (column ${parsed.column})`,
        path,
        parsed.column,
      );
    }
    return renderTemplate(parsed.template, env, keepDates);
  }
  if (Array.isArray(value))
    return value.map((v, i) => renderIn(v, env, `${path}[${i}]`, depth + 1, keepDates));
  if (isPlainObject(value)) {
    // fromEntries defines own keys, so a "__proto__" key stays data.
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        renderIn(v, env, path ? `${path}.${k}` : k, depth + 1, keepDates),
      ]),
    );
  }
  return value;
}
