// The flows folder as the builder sees it: a flow's version (a hash of its stored text, so two tabs
// can tell that the other saved), its YAML as JSON, writing the file (atomically, inside the flows
// folder only) and the line difference shown when a save comes too late.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FLOW_ID } from "@hlconnect/engine/flows/index";
import type { FlowRecord } from "@hlconnect/engine/store/types";
import { parse } from "yaml";
import { HttpError } from "./http-errors.ts";

export function flowVersion(source: string): string {
  return createHash("sha256").update(source).digest("hex").slice(0, 16);
}

/** The flow's YAML as a JSON value; undefined when it no longer parses. */
export function flowDocument(source: string): unknown {
  try {
    return parse(source, { maxAliasCount: 1000 });
  } catch {
    return undefined;
  }
}

/**
 * Where a flow's file goes: the file it was loaded from when that is inside the flows folder,
 * otherwise `<flowsDir>/<id>.yaml` (so an example loaded from the repository is copied, not edited).
 */
export function flowFilePath(flowsDir: string, id: string, record?: FlowRecord): string {
  if (!FLOW_ID.test(id))
    throw new HttpError(400, `"${id}" is not a flow id: use lowercase letters, digits, - and _`);
  const root = path.resolve(flowsDir);
  const loaded = record?.filePath ? path.resolve(record.filePath) : undefined;
  if (loaded?.startsWith(root + path.sep) && /\.ya?ml$/.test(loaded)) return loaded;
  return path.join(root, `${id}.yaml`);
}

export function fileExists(file: string): boolean {
  return existsSync(file);
}

/** Write via a temporary file and a rename, so a crash never leaves half a flow. */
export function writeFlowFile(file: string, source: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, source);
  renameSync(temp, file);
}

export interface DiffLine {
  op: "same" | "removed" | "added";
  text: string;
}

/** The lines of `before` and `after` by longest common subsequence (flow files are small). */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split("\n");
  const b = after.split("\n");
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ op: "same", text: a[i++]! });
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push({ op: "added", text: b[j++]! });
    } else {
      out.push({ op: "removed", text: a[i++]! });
    }
  }
  return out;
}
