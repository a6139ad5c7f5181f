// Reads a directory of flow files: every *.yaml / *.yml in it, each validated on its own, then
// flow ids checked to be unique across files.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseFlowFile, positionIn } from "./parse.ts";
import type { FlowError, FlowFileResult } from "./types.ts";

const FLOW_FILE = /\.ya?ml$/i;

function fileError(file: string, message: string, line = 1, column = 1): FlowError {
  return { file, line, column, path: "", message };
}

/** One result per file, in name order; a directory that cannot be read gives one result for it. */
export function loadFlowsFromDir(dir: string): FlowFileResult[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((d) => (d.isFile() || d.isSymbolicLink()) && FLOW_FILE.test(d.name))
      .map((d) => d.name)
      .sort();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such directory" : String(err);
    return [{ file: dir, errors: [fileError(dir, `cannot read the flows directory: ${reason}`)] }];
  }
  const results = names.map((name) => loadFile(path.join(dir, name)));
  markDuplicateIds(results);
  return results.map(({ text: _text, ...r }) => r);
}

function loadFile(file: string): FlowFileResult & { text?: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return { file, errors: [fileError(file, `cannot read the file: ${String(err)}`)] };
  }
  const { flow, errors } = parseFlowFile(text, file);
  return { file, ...(flow ? { flow } : {}), errors, text };
}

/** A flow id used by an earlier file makes the later file's flow invalid. */
function markDuplicateIds(results: Array<FlowFileResult & { text?: string }>): void {
  const owner = new Map<string, string>();
  for (const r of results) {
    if (!r.flow) continue;
    const first = owner.get(r.flow.id);
    if (first === undefined) {
      owner.set(r.flow.id, r.file);
      continue;
    }
    const at = positionIn(r.text ?? "", ["id"]);
    r.errors.push({
      ...fileError(
        r.file,
        `flow id "${r.flow.id}" is already used by ${path.basename(first)}`,
        at.line,
        at.column,
      ),
      path: "id",
      suggestion: "Give each flow its own id.",
    });
    delete r.flow;
  }
}
