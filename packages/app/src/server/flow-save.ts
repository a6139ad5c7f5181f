// Saving a flow from the API: YAML text as is, or the builder's JSON document written into the stored
// YAML (comments and untouched lines kept); validated before anything is written; the file goes in the
// flows folder so `hlconnect serve --flows DIR` and editors see the same flow the browser saved.
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { applyFlowDocument, FlowEditError, renderDocument } from "@hlconnect/engine/flows/edit";
import type { FlowError } from "@hlconnect/engine/flows/index";
import { parseFlowFile } from "@hlconnect/engine/flows/index";
import type { FlowRecord } from "@hlconnect/engine/store/types";
import type { ServerDeps } from "./deps.ts";
import { fileExists, flowFilePath, flowVersion, lineDiff, writeFlowFile } from "./flow-files.ts";
import { HttpError } from "./http-errors.ts";

/** The YAML a {source} or {document} body stands for (a document is applied onto `current`'s YAML). */
export function flowSource(body: Record<string, unknown>, current?: FlowRecord): string {
  if (typeof body.source === "string" && body.source.trim() !== "") return body.source;
  const doc = body.document;
  if (doc && typeof doc === "object" && !Array.isArray(doc)) {
    try {
      return current ? applyFlowDocument(current.source, doc) : renderDocument(doc);
    } catch (err) {
      if (err instanceof FlowEditError) throw new HttpError(422, err.message);
      throw err;
    }
  }
  throw new HttpError(400, 'send "source" (the flow\'s YAML text) or "document" (the flow as a JSON object)');
}

/**
 * A save based on an older version is refused (409) with the current text and the difference between
 * it and what this save would write. A builder save must say which version it edited.
 */
export function stalenessCheck(body: Record<string, unknown>, current: FlowRecord | undefined, next: string) {
  const base = body.baseVersion;
  if (base !== undefined && typeof base !== "string")
    throw new HttpError(400, '"baseVersion" must be a string');
  if (current && base === undefined && body.document !== undefined) {
    throw new HttpError(
      400,
      '"baseVersion" is required with "document": send the version you loaded (GET /api/flows/:id)',
    );
  }
  if (base === undefined) return;
  const currentVersion = current ? flowVersion(current.source) : null;
  if (currentVersion === base) return;
  throw new HttpError(
    409,
    current
      ? `flow "${current.id}" changed since you loaded it: look at the difference, then save again from the current version`
      : "this flow was deleted since you loaded it",
    {
      currentVersion,
      currentSource: current?.source ?? null,
      diff: lineDiff(current?.source ?? "", next),
    },
  );
}

/** Validate, write the flow's file (with a flows folder), then store it; a refused save leaves the file as it was. */
export async function saveFlowSource(
  deps: ServerDeps,
  source: string,
  file: string,
  id: string,
  current?: FlowRecord,
): Promise<{ flow?: FlowRecord; errors: FlowError[] }> {
  const parsed = parseFlowFile(source, file);
  if (!parsed.flow) return { errors: parsed.errors };
  if (!deps.flowsDir) return deps.engine.saveFlow(source, file);
  const target = flowFilePath(deps.flowsDir, id, current);
  if (!current && fileExists(target)) {
    throw new HttpError(409, `${target} already exists: choose another id, or load that file first`);
  }
  // The engine can still refuse a flow that parses (an enabled flow no connection can route): then the
  // file goes back to what it was, so a retry is not a 409 and a restart does not load the refused text.
  const before = fileExists(target) ? readFileSync(target, "utf8") : undefined;
  const putBack = () =>
    before === undefined ? rmSync(target, { force: true }) : writeFlowFile(target, before);
  writeFlowFile(target, source);
  let saved: Awaited<ReturnType<typeof deps.engine.saveFlow>>;
  try {
    saved = await deps.engine.saveFlow(source, target);
  } catch (err) {
    putBack();
    throw err;
  }
  if (!saved.flow) putBack();
  return saved;
}

/** A deleted flow's file goes too, when it is one this server writes (inside the flows folder). */
export function removeFlowFile(deps: ServerDeps, record: FlowRecord): void {
  if (!deps.flowsDir || !record.filePath) return;
  const root = path.resolve(deps.flowsDir);
  const file = path.resolve(record.filePath);
  if (file.startsWith(root + path.sep)) rmSync(file, { force: true });
}
