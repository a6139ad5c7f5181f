// parseFlowFile: YAML text -> a typed flow, or every error found, each at its line and column.
import { LineCounter, parseDocument } from "yaml";
import { checkSemantics, type Resolved } from "./check.ts";
import type { FlowFile } from "./format.ts";
import { type FlowPath, type Position, SourceMap } from "./locate.ts";
import { Report } from "./report.ts";
import { checkStructure } from "./structure.ts";
import type { Flow, FlowError } from "./types.ts";

function sourceMap(text: string) {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  return { doc, map: new SourceMap(doc, lines, text) };
}

/** Where `path` is in a flow file's text (for errors found after parsing, e.g. duplicate ids). */
export function positionIn(text: string, path: FlowPath): Position {
  return sourceMap(text).map.at(path);
}

export function parseFlowFile(text: string, file: string): { flow?: Flow; errors: FlowError[] } {
  const { doc, map } = sourceMap(text);
  const report = new Report(file, map);

  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length) {
    for (const e of yamlProblems) {
      report.add([], `YAML: ${e.message.split("\n")[0]}`, { at: report.map.position(e.pos[0]) });
    }
    return { errors: report.errors };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    report.add([], `YAML: ${err instanceof Error ? err.message : String(err)}`);
    return { errors: report.errors };
  }
  if (data === null || data === undefined) {
    report.add([], "the file is empty: a flow needs id, name, trigger and steps");
    return { errors: report.errors };
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    report.add([], "a flow file is a mapping of keys (id, name, trigger, steps, ...)");
    return { errors: report.errors };
  }

  const shaped = checkStructure(data, report);
  const resolved = checkSemantics(data as Record<string, unknown>, report);
  if (report.errors.length || !shaped) {
    report.errors.sort((a, b) => a.line - b.line || a.column - b.column);
    return { errors: report.errors };
  }
  const flow = build(shaped, resolved, file);
  return flow ? { flow, errors: [] } : { errors: report.errors };
}

function build(f: FlowFile, r: Resolved, file: string): Flow | undefined {
  if (!r.trigger) return undefined;
  return {
    id: f.id,
    name: f.name,
    ...(f.description !== undefined ? { description: f.description } : {}),
    enabled: f.enabled ?? true,
    ...(f.connection !== undefined ? { connection: f.connection } : {}),
    trigger: r.trigger,
    ...(r.filter !== undefined ? { filter: r.filter } : {}),
    vars: f.vars ?? {},
    tables: f.tables ?? {},
    steps: f.steps.map((s, i) => {
      const res = r.steps[i] ?? {};
      return {
        id: s.id,
        op: s.op,
        kind: res.kind ?? "action",
        input: s.input ?? {},
        ...(res.when !== undefined ? { when: res.when } : {}),
        ...(s.retry ? { retry: { attempts: s.retry.attempts, backoffMs: res.backoffMs ?? 30_000 } } : {}),
        continueOnError: s.continueOnError ?? false,
      };
    }),
    ...(f.alerts ? { alerts: { ...(f.alerts.webhook ? { webhook: f.alerts.webhook } : {}) } } : {}),
    file,
  };
}
