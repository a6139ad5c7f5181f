// Pure helpers over the flow document the builder edits (the parsed YAML as JSON): a blank flow,
// unique step ids, moving steps, and where a validation problem belongs.
import type { FlowDocument, FlowProblem, StepDocument } from "../api/types.ts";

export function blankFlow(): FlowDocument {
  return { id: "", name: "", trigger: {}, steps: [] };
}

/** "highlevel.contacts.tasks.create" → "task", then task_2, task_3… so mappings can name it. */
export function newStepId(op: string, taken: string[]): string {
  const words = op
    .split(".")
    .filter((w) => !["highlevel", "batchdata", "create", "get", "update", "list"].includes(w));
  const base = (words.at(-1) ?? "step").replace(/s$/, "").replace(/[^A-Za-z0-9_]/g, "_") || "step";
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}_${i}`)) return `${base}_${i}`;
}

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
}

export function moveStep(steps: StepDocument[], from: number, to: number): StepDocument[] {
  if (to < 0 || to >= steps.length) return steps;
  const next = [...steps];
  const [s] = next.splice(from, 1);
  next.splice(to, 0, s!);
  return next;
}

/** Problems under a path prefix ("steps[1].input.title"), by the field name right after it. */
export function problemsUnder(problems: FlowProblem[], prefix: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of problems) {
    const path = p.path ?? "";
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length).replace(/^\./, "");
    const field = rest.split(/[.[]/)[0] ?? "";
    const list = out.get(field) ?? [];
    list.push(p.suggestion ? `${p.message} (${p.suggestion})` : p.message);
    out.set(field, list);
  }
  return out;
}

/** Whether a problem is about this card: the trigger, a step, or the flow as a whole. */
export function problemsOf(problems: FlowProblem[], prefix: string): FlowProblem[] {
  return problems.filter((p) => (p.path ?? "") === prefix || (p.path ?? "").startsWith(`${prefix}.`));
}

/** Drops empty strings and empty objects from an input so a cleared field disappears from the YAML. */
export function cleanInput(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined || v === "") continue;
    out[k] = v;
  }
  return out;
}
