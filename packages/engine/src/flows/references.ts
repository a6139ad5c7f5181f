// Templates and conditions inside a flow: parse errors placed at the character they point at, and
// references (`steps.x.output`, `vars.y`) checked against what exists at that point of the flow.
import { parseCondition, parseTemplate } from "../mapping/index.ts";
import { didYouMean, nearest } from "./catalog.ts";
import type { FlowPath } from "./locate.ts";
import type { Report } from "./report.ts";
import type { Condition } from "./types.ts";

/** What an expression may read where it is written. */
export interface RefScope {
  /** The trigger's data (not in the trigger's own input). */
  trigger: boolean;
  /** Steps that ran before this point. */
  earlier: string[];
  /** The step being checked, when in a step. */
  self?: string;
  /** Where, for messages: "the filter", "the trigger's input". */
  place: string;
}

/** The names a flow declares. */
export interface FlowNames {
  steps: string[];
  vars: string[];
  tables: string[];
}

const ROOTS = ["trigger", "steps", "vars", "env", "tables"];

/** "steps.a.output['x y'][0]" -> ["steps", "a", "output", "x y", "0"]. */
export function refSegments(ref: string): string[] {
  const out: string[] = [];
  const re = /([^.[\]]+)|\[\s*(?:"([^"]*)"|'([^']*)'|([^\]]*))\s*\]/g;
  for (let m = re.exec(ref); m; m = re.exec(ref)) out.push(m[1] ?? m[2] ?? m[3] ?? m[4]?.trim() ?? "");
  return out;
}

export class ExpressionChecker {
  constructor(
    private readonly report: Report,
    private readonly names: FlowNames,
  ) {}

  /** Every string in a mapped value: template syntax and references. True when any is a template. */
  value(path: FlowPath, value: unknown, scope: RefScope): boolean {
    if (typeof value === "string") return this.template(path, value, scope);
    let templated = false;
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        templated = this.value([...path, i], v, scope) || templated;
      });
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) templated = this.value([...path, k], v, scope) || templated;
    }
    return templated;
  }

  private template(path: FlowPath, text: string, scope: RefScope): boolean {
    const parsed = parseTemplate(text);
    if (!parsed.ok) {
      this.report.add(path, `template error: ${this.fileColumns(path, text, parsed.error)}`, {
        at: this.report.map.inString(path, text, Math.max(parsed.column - 1, 0)),
      });
      return true;
    }
    for (const ref of parsed.refs) this.ref(path, ref, scope, text);
    for (const table of parsed.template.tables) {
      if (this.names.tables.includes(table)) continue;
      const near = nearest(table, this.names.tables, 2);
      const i = text.indexOf(`"${table}"`) >= 0 ? text.indexOf(`"${table}"`) : text.indexOf(`'${table}'`);
      this.report.add(path, `lookup("${table}"): no table "${table}" in the flow's tables`, {
        suggestion: near.length ? didYouMean(near) : "Declare it under tables:.",
        ...(i >= 0 ? { at: this.report.map.inString(path, text, i + 1) } : {}),
      });
    }
    return text.includes("{{");
  }

  /** A filter or `when:` condition; its parsed form when it is valid. */
  condition(path: FlowPath, source: unknown, scope: RefScope): Condition | undefined {
    const parsed = parseCondition(source);
    if (!parsed.ok) {
      const inner = parsed.path ? refSegments(parsed.path).map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [];
      const at = [...path, ...inner];
      const text = valueAt(source, inner);
      const column = parsed.column;
      if (typeof text === "string" && column !== undefined) {
        this.report.add(at, `condition error: ${this.fileColumns(at, text, parsed.error)}`, {
          at: this.report.map.inString(at, text, column - 1),
        });
      } else this.report.add(at, `condition error: ${parsed.error}`);
      return undefined;
    }
    for (const ref of parsed.refs) {
      const found = findString(source, ref, path);
      this.ref(found?.path ?? path, ref, scope, found?.text);
    }
    return parsed.condition;
  }

  /**
   * The mapping language counts columns inside the value; the error is already placed at that
   * spot, so drop a trailing "(column N)" and turn other columns into the file's line and column.
   */
  private fileColumns(path: FlowPath, text: string, message: string): string {
    return message.replace(/\s*\(column \d+\)$/, "").replace(/\bcolumn (\d+)/g, (_, n: string) => {
      const pos = this.report.map.inString(path, text, Number(n) - 1);
      return `line ${pos.line}, column ${pos.column}`;
    });
  }

  /** One reference: its root, and the step, var or table it names. */
  private ref(path: FlowPath, ref: string, scope: RefScope, text: string | undefined): void {
    const [root = "", name, field] = refSegments(ref);
    const at = () => {
      if (typeof text !== "string") return undefined;
      const i = text.indexOf(ref);
      const j = i >= 0 ? i : text.indexOf(`${root}.${name ?? ""}`);
      return j >= 0 ? this.report.map.inString(path, text, j) : undefined;
    };
    const add = (message: string, suggestion?: string) =>
      this.report.add(path, message, { suggestion, at: at() });
    if (!ROOTS.includes(root)) {
      const near = nearest(root, ROOTS, 1);
      add(
        `"${ref}" reads "${root}", which is not there: expressions read trigger, steps, vars, env or tables`,
        near.length ? didYouMean(near) : undefined,
      );
      return;
    }
    if (root === "trigger" && !scope.trigger) {
      add(`"${ref}": ${scope.place} is read before the trigger has data`);
      return;
    }
    if (root === "steps") this.stepRef(ref, name, field, scope, add);
    if (root === "vars") this.declared(ref, "var", name, this.names.vars, "vars", add);
    if (root === "tables") this.declared(ref, "table", name, this.names.tables, "tables", add);
  }

  private stepRef(
    ref: string,
    name: string | undefined,
    field: string | undefined,
    scope: RefScope,
    add: (message: string, suggestion?: string) => void,
  ): void {
    if (!name) {
      add(`"${ref}" must name a step: steps.STEP_ID.output`);
      return;
    }
    if (name === scope.self) {
      add(`"${ref}": a step cannot read its own output`);
      return;
    }
    if (!this.names.steps.includes(name)) {
      const near = nearest(name, scope.earlier, 2);
      add(
        `"${ref}": there is no step "${name}"`,
        near.length ? didYouMean(near.map((n) => `steps.${n}`)) : undefined,
      );
      return;
    }
    if (!scope.earlier.includes(name)) {
      add(
        scope.self === undefined
          ? `"${ref}": ${scope.place} is read before any step runs`
          : `"${ref}": step "${name}" runs after step "${scope.self}"; a step can only read earlier steps`,
      );
      return;
    }
    if (field !== undefined && field !== "output") {
      add(`"${ref}": a step's result is under output`, `Write steps.${name}.output.${field}.`);
    }
  }

  private declared(
    ref: string,
    what: string,
    name: string | undefined,
    known: string[],
    section: string,
    add: (message: string, suggestion?: string) => void,
  ): void {
    if (name !== undefined && known.includes(name)) return;
    const near = name ? nearest(name, known, 2) : [];
    add(
      `"${ref}": no ${what} "${name ?? ""}" in the flow's ${section}`,
      near.length ? didYouMean(near.map((n) => `${section}.${n}`)) : undefined,
    );
  }
}

function valueAt(source: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = source;
  for (const part of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[part];
  }
  return v;
}

/** The first string inside a condition that mentions the reference, to place errors on it. */
function findString(
  source: unknown,
  ref: string,
  path: FlowPath,
): { path: FlowPath; text: string } | undefined {
  if (typeof source === "string") return source.includes(ref) ? { path, text: source } : undefined;
  if (source !== null && typeof source === "object") {
    for (const [k, v] of Object.entries(source)) {
      const found = findString(v, ref, [...path, Array.isArray(source) ? Number(k) : k]);
      if (found) return found;
    }
  }
  return undefined;
}
