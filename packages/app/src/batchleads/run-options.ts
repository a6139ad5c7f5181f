// One place that turns "import this BatchLeads file" into runImport's options, shared by
// `hlconnect import batchleads` and the web app's imports (POST /api/imports), so both write the same
// state file, name the account the same way and print the same summary.
import path from "node:path";
import type { ImportOptions } from "@hlconnect/batchleads/sync/index";
import { defaultStateFile } from "@hlconnect/batchleads/sync/state-location";
import type { HighLevelClient } from "@hlconnect/client";

export interface ImportRequest {
  file: string;
  dryRun: boolean;
  /** Needed for a real import; a dry run without one plans for "dry-run". */
  locationId?: string | undefined;
  client?: HighLevelClient | undefined;
  /** The account the state remembers writes for (default: the client's base URL). */
  baseUrl?: string | undefined;
  /** The data dir whose batchleads.db holds the state (default: the user's data dir). */
  dataDir?: string | undefined;
  /** An explicit state file (a dry run then only reads it). */
  stateFile?: string | undefined;
  rejectedFile?: string | undefined;
  mapping?: ImportOptions["mapping"];
}

export function importRunOptions(r: ImportRequest): ImportOptions {
  const baseUrl = r.baseUrl ?? r.client?.baseUrl;
  // A dry run keeps nothing unless a state file is named (it then only reads it).
  const stateFile = r.stateFile
    ? path.resolve(r.stateFile)
    : r.dryRun
      ? undefined
      : r.dataDir
        ? path.join(r.dataDir, "batchleads.db")
        : defaultStateFile();
  return {
    file: r.file,
    locationId: r.locationId ?? "dry-run",
    ...(r.client ? { client: r.client } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    mapping: r.mapping ?? {},
    dryRun: r.dryRun,
    ...(stateFile ? { stateFile } : {}),
    ...(r.rejectedFile ? { rejectedFile: path.resolve(r.rejectedFile) } : {}),
  };
}
