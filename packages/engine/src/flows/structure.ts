// Structural validation: the zod schema of the format, its issues turned into located errors.
import type { z } from "zod";
import { didYouMean, nearest } from "./catalog.ts";
import { allowedKeys, type FlowFile, FlowFileSchema } from "./format.ts";
import { type FlowPath, formatPath } from "./locate.ts";
import type { Report } from "./report.ts";

function valueAt(data: unknown, path: FlowPath): unknown {
  let v = data;
  for (const part of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[part];
  }
  return v;
}

function toFlowPath(path: readonly PropertyKey[]): Array<string | number> {
  return path.map((p) => (typeof p === "number" ? p : String(p)));
}

/** Checks the structure; returns the typed file when it is well formed. */
export function checkStructure(data: unknown, report: Report): FlowFile | undefined {
  const result = FlowFileSchema.safeParse(data);
  if (result.success) return result.data;
  for (const issue of result.error.issues) addIssue(issue, data, report);
  return undefined;
}

function addIssue(issue: z.core.$ZodIssue, data: unknown, report: Report): void {
  const path = toFlowPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeys(issue.path);
    for (const key of issue.keys) {
      const near = nearest(key, allowed, 2);
      report.add([...path, key], `unknown key "${key}"${where(path)}`, {
        key: true,
        suggestion: near.length
          ? didYouMean(near)
          : allowed.length
            ? `Allowed: ${allowed.join(", ")}.`
            : undefined,
      });
    }
    return;
  }
  if (issue.code === "invalid_key") {
    // The key's own complaint ("var names are ...") says more than the record's.
    report.add(path, issue.issues[0]?.message ?? issue.message, { key: true });
    return;
  }
  const last = path[path.length - 1];
  if (issue.code === "invalid_type" && path.length && valueAt(data, path) === undefined) {
    report.add(path, `missing required key "${String(last)}"${where(path.slice(0, -1))}`);
    return;
  }
  report.add(path, readable(issue, path));
}

const KINDS: Record<string, string> = {
  object: "a mapping (key: value)",
  array: "a list",
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
};

/** zod's generic "Invalid input: expected object, received array" said with the key's name. */
function readable(issue: z.core.$ZodIssue, path: FlowPath): string {
  const subject = path.length ? formatPath(path) : "the flow";
  if (issue.code === "invalid_type" && issue.message.startsWith("Invalid input")) {
    return `${subject} must be ${KINDS[issue.expected] ?? issue.expected}`;
  }
  if (issue.message.startsWith("must ")) return `${subject} ${issue.message}`;
  return issue.message;
}

function where(path: FlowPath): string {
  if (!path.length) return " in the flow";
  if (path[0] === "steps" && typeof path[1] === "number") {
    return path.length === 2 ? ` in step ${path[1] + 1}` : ` in steps[${path[1]}].${path.slice(2).join(".")}`;
  }
  return ` in ${path.join(".")}`;
}
