// Checks of a flow that need the catalog and the mapping language: operations, their inputs,
// templates, conditions, references and intervals. Works on the raw data so that a structural
// error elsewhere does not hide these.
import type { CatalogEntry } from "@hlconnect/catalog";
import { closest } from "@hlconnect/client";
import {
  didYouMean,
  inputFields,
  isRequired,
  isStepEntry,
  literalError,
  lookupEntry,
  nearest,
  stepKeys,
  triggerKeys,
} from "./catalog.ts";
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_EVERY_MS,
  MAX_BACKOFF_MS,
  MAX_EVERY_MS,
  MIN_BACKOFF_MS,
  MIN_EVERY_MS,
  parseDuration,
} from "./duration.ts";
import type { FlowPath } from "./locate.ts";
import { ExpressionChecker, type FlowNames, type RefScope } from "./references.ts";
import type { Report } from "./report.ts";
import type { Condition, FlowTrigger } from "./types.ts";

/** What the checks work out, for building the typed flow. */
export interface Resolved {
  trigger?: FlowTrigger;
  filter?: Condition;
  steps: Array<{ kind?: "action" | "read"; when?: Condition; backoffMs?: number }>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const keysOf = (v: unknown): string[] => (isObj(v) ? Object.keys(v) : []);

export function checkSemantics(raw: Obj, report: Report): Resolved {
  const steps = Array.isArray(raw.steps) ? raw.steps : [];
  const stepIds = steps.map((s) => (isObj(s) && typeof s.id === "string" ? s.id : undefined));
  const names: FlowNames = {
    steps: stepIds.filter((id): id is string => id !== undefined),
    vars: keysOf(raw.vars),
    tables: keysOf(raw.tables),
  };
  const exprs = new ExpressionChecker(report, names);
  const resolved: Resolved = { steps: [] };

  if (isObj(raw.trigger)) resolved.trigger = checkTrigger(raw.trigger, report, exprs);
  if (raw.filter !== undefined) {
    resolved.filter = exprs.condition(["filter"], raw.filter, {
      trigger: true,
      earlier: [],
      place: "the filter",
    });
  }

  const seen = new Map<string, number>();
  steps.forEach((step, i) => {
    const id = stepIds[i];
    if (id !== undefined) {
      const first = seen.get(id);
      if (first !== undefined) {
        report.add(["steps", i, "id"], `duplicate step id "${id}" (also steps[${first}])`, {
          suggestion: "Give each step its own id.",
        });
      } else seen.set(id, i);
    }
    const earlier = stepIds.slice(0, i).filter((s): s is string => s !== undefined);
    const scope: RefScope = {
      trigger: true,
      earlier,
      place: `step "${id ?? i + 1}"`,
      ...(id ? { self: id } : {}),
    };
    resolved.steps.push(isObj(step) ? checkStep(step, i, scope, report, exprs) : {});
  });
  return resolved;
}

function checkTrigger(t: Obj, report: Report, exprs: ExpressionChecker): FlowTrigger | undefined {
  const path = ["trigger"];
  const hasOp = t.op !== undefined;
  const hasWebhook = "webhook" in t;
  if (hasOp && hasWebhook) {
    report.add(path, "a trigger is either `op:` (a catalog trigger) or `webhook: {}`, not both");
    return undefined;
  }
  if (hasWebhook) {
    if (t.every !== undefined) {
      report.add(
        [...path, "every"],
        "`every` is for polling triggers; a webhook trigger runs when it is called",
        {
          key: true,
        },
      );
    }
    if (t.input !== undefined) {
      report.add([...path, "input"], "a webhook trigger takes no input: it gets what is posted", {
        key: true,
      });
    }
    return { type: "webhook" };
  }
  if (!hasOp) {
    report.add(path, "the trigger needs `op:` (a catalog trigger key) or `webhook: {}`");
    return undefined;
  }
  if (typeof t.op !== "string") return undefined; // reported by the structure check
  const found = lookupEntry(t.op, triggerKeys());
  if ("error" in found) {
    report.add([...path, "op"], found.error, { suggestion: found.suggestion });
    return undefined;
  }
  const entry = found.entry;
  if (entry.kind !== "trigger") {
    const near = closest(t.op.replace(/\.[^.]+$/, ""), triggerKeys(), 3);
    report.add([...path, "op"], `"${t.op}" is an action; a flow starts with a trigger`, {
      suggestion: `Run it as a step${near.length ? `, and start with a trigger such as "${near[0]}"` : ""}.`,
    });
    return undefined;
  }
  const scope: RefScope = { trigger: false, earlier: [], place: "the trigger's input" };
  checkInput(entry, [...path], t.input, scope, report, exprs);
  if (entry.trigger.type === "instant") {
    if (t.every !== undefined) {
      report.add(
        [...path, "every"],
        `"${entry.key}" is instant (HighLevel's webhook fires it): it has no interval`,
        {
          key: true,
          suggestion: "Remove `every`.",
        },
      );
    }
    return { type: "instant", op: entry.key, input: isObj(t.input) ? t.input : {} };
  }
  let intervalMs = DEFAULT_EVERY_MS;
  if (typeof t.every === "string") {
    const ms = parseDuration(t.every);
    if (ms !== undefined && (ms < MIN_EVERY_MS || ms > MAX_EVERY_MS)) {
      report.add([...path, "every"], `every must be 1 to 15 minutes (got ${t.every})`, {
        suggestion: ms < MIN_EVERY_MS ? 'Use "1m".' : 'Use "15m", or an instant trigger.',
      });
    }
    if (ms !== undefined) intervalMs = ms;
  }
  return { type: "polling", op: entry.key, input: isObj(t.input) ? t.input : {}, intervalMs };
}

function checkStep(
  step: Obj,
  i: number,
  scope: RefScope,
  report: Report,
  exprs: ExpressionChecker,
): Resolved["steps"][number] {
  const path = ["steps", i];
  const out: Resolved["steps"][number] = {};
  if (typeof step.op === "string") {
    const found = lookupEntry(step.op, stepKeys());
    if ("error" in found) {
      report.add([...path, "op"], found.error, { suggestion: found.suggestion });
    } else if (!isStepEntry(found.entry)) {
      report.add([...path, "op"], `"${step.op}" is a trigger that cannot run as a step`, {
        suggestion:
          "Use it as the flow's trigger, or pick an action or a read such as highlevel.contacts.get.",
      });
    } else {
      out.kind = found.entry.kind === "action" ? "action" : "read";
      checkInput(found.entry, path, step.input, scope, report, exprs);
    }
  } else if (step.input !== undefined) {
    exprs.value([...path, "input"], step.input, scope); // still check its templates
  }
  if (step.when !== undefined) {
    const when = exprs.condition([...path, "when"], step.when, scope);
    if (when !== undefined) out.when = when;
  }
  const retry = step.retry;
  if (isObj(retry) && typeof retry.backoff === "string") {
    const ms = parseDuration(retry.backoff);
    if (ms !== undefined && (ms < MIN_BACKOFF_MS || ms > MAX_BACKOFF_MS)) {
      report.add([...path, "retry", "backoff"], `retry.backoff must be 1s to 1h (got ${retry.backoff})`);
    }
    out.backoffMs = ms ?? DEFAULT_BACKOFF_MS;
  } else if (isObj(retry)) out.backoffMs = DEFAULT_BACKOFF_MS;
  return out;
}

/** Input fields against the operation's: unknown, missing, literal values, templates. */
function checkInput(
  entry: CatalogEntry,
  owner: FlowPath,
  input: unknown,
  scope: RefScope,
  report: Report,
  exprs: ExpressionChecker,
): void {
  const path = [...owner, "input"];
  const fields = inputFields(entry);
  const given = isObj(input) ? input : {};
  if (input !== undefined && !isObj(input)) return; // reported by the structure check
  if (!fields) {
    exprs.value(path, given, scope);
    return;
  }
  const names = Object.keys(fields);
  for (const [name, value] of Object.entries(given)) {
    const templated = exprs.value([...path, name], value, scope);
    const field = fields[name];
    if (!field) {
      const near = nearest(name, names, 2);
      report.add([...path, name], `"${name}" is not an input of ${entry.key}`, {
        key: true,
        suggestion: near.length
          ? didYouMean(near)
          : names.length
            ? `Its inputs are: ${names.join(", ")}.`
            : "It takes no input.",
      });
      continue;
    }
    if (templated) continue; // mapped values are checked when the run renders them
    const problem = literalError(field, value);
    if (problem) report.add([...path, name], `${name}: ${problem}`);
  }
  for (const name of names) {
    const field = fields[name];
    if (field && !(name in given) && isRequired(field)) {
      const label = (field.meta() as { label?: string } | undefined)?.label;
      // At the `input:` key, or at the op when there is no input at all.
      report.add(
        input === undefined ? [...owner, "op"] : path,
        `missing input "${name}"${label ? ` (${label})` : ""} of ${entry.key}`,
        {
          key: input !== undefined,
          suggestion: `Add ${name}: under input, as a value or a {{ template }}.`,
        },
      );
    }
  }
}
