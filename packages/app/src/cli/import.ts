// `hlconnect import batchleads FILE`: a BatchLeads export into HighLevel (HIGHLEVEL_* environment),
// idempotent and resumable through a state file in the data dir.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { ExportFileError } from "@hlconnect/batchleads/file/sniff";
import {
  formatSummary,
  ImportIncompleteError,
  ImportLockedError,
  type ImportProgress,
  type ImportSummary,
  progressLines,
  runImport,
} from "@hlconnect/batchleads/sync/index";
import { loadMappingFile, MappingFileError } from "@hlconnect/batchleads/sync/mapping-file";
import { HighLevelClient } from "@hlconnect/client";
import type { Command } from "commander";
import { importRunOptions } from "../batchleads/run-options.ts";
import { resolveDataDir } from "./data.ts";
import { readHighLevelEnv } from "./env.ts";
import { CliError } from "./errors.ts";

export interface ImportFlags {
  location?: string;
  dryRun?: boolean;
  map?: string;
  json?: boolean;
  data?: string;
  state?: string;
  rejected?: string;
  report?: string;
  verify?: boolean;
  newOptions?: boolean;
}

export function registerImportCommands(program: Command): void {
  const group = program.command("import").description("Import leads from other tools into HighLevel");
  group
    .command("batchleads")
    .description("Import a BatchLeads export (CSV or XLSX): contacts, tags, notes and hot-lead call tasks")
    .argument("<file>", "the export file")
    .option("--location <id>", "HighLevel location (default: HIGHLEVEL_LOCATION_ID)")
    .option("--dry-run", "read and plan only: no call to HighLevel; the summary says what would be written")
    .option("--map <file>", "mapping file (JSON or YAML) changing the default rules")
    .option("--json", "print the summary as one JSON object on stdout")
    .option("--data <dir>", "data dir holding the import state (default: your user data dir, see --state)")
    .option(
      "--state <file>",
      "import state file (default <data dir>/batchleads.db, else ~/.local/share/hlconnect/batchleads.db or HLCONNECT_HOME)",
    )
    .option("--rejected <file>", "where rejected rows go (default <file>.rejected.csv next to the input)")
    .option(
      "--report <file>",
      "write one JSON line per row: its contact, what was written, what was skipped and why",
    )
    .option(
      "--verify",
      "read the file's contacts back from HighLevel first: recreate the missing, report hand edits",
    )
    .option("--no-new-options", "never add options to picklist fields (values no option means are left out)")
    .action(async (file: string, flags: ImportFlags) => {
      await importBatchLeads(file, flags);
    });
}

/** The command itself (exported for tests: the same path as the CLI, in-process). */
export async function importBatchLeads(file: string, flags: ImportFlags): Promise<void> {
  if (!existsSync(file)) throw new CliError(`${file}: no such file`, 2);
  if (statSync(file).isDirectory()) throw new CliError(`${file} is a folder, not an export file`, 2);
  let mapping = {};
  if (flags.map) {
    try {
      mapping = loadMappingFile(flags.map);
    } catch (err) {
      if (err instanceof MappingFileError) throw new CliError(err.message, 2);
      throw err;
    }
  }

  const dryRun = flags.dryRun === true;
  let client: HighLevelClient | undefined;
  const locationId = flags.location?.trim() || process.env.HIGHLEVEL_LOCATION_ID?.trim();
  if (dryRun && flags.verify)
    throw new CliError("--verify reads HighLevel: it cannot be combined with --dry-run", 2);
  if (!dryRun) {
    const env = readHighLevelEnv();
    if (!locationId) {
      throw new CliError("no location: pass --location ID or set HIGHLEVEL_LOCATION_ID", 2);
    }
    client = new HighLevelClient({ credentials: env.token, baseUrl: env.baseUrl, locationId });
  }
  // The account the state remembers writes for: a dry run names it the way the import would.
  const baseUrl = client?.baseUrl ?? (process.env.HIGHLEVEL_BASE_URL?.trim() || undefined);

  const progress = process.stderr.isTTY && !flags.json ? new ProgressBar() : undefined;
  // Not a terminal (a log, cron, CI): a plain line every few seconds instead of a redrawn bar.
  const lines =
    !progress && !process.stdout.isTTY ? progressLines((l) => process.stderr.write(`${l}\n`)) : undefined;
  // Ctrl-C: finish the leads in flight, record them, print where it stopped (a second one kills).
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once("SIGINT", onSigint);
  let summary: ImportSummary;
  try {
    summary = await runImport({
      ...importRunOptions({
        file,
        dryRun,
        locationId,
        client,
        baseUrl,
        mapping,
        dataDir: flags.data ? resolveDataDir(flags.data) : undefined,
        stateFile: flags.state,
        rejectedFile: flags.rejected,
      }),
      ...(progress ? { onProgress: (p: ImportProgress) => progress.update(p) } : {}),
      ...(lines ? { onProgress: lines } : {}),
      ...(flags.report ? { reportFile: path.resolve(flags.report) } : {}),
      ...(flags.verify ? { verify: true } : {}),
      ...(flags.newOptions === false ? { noNewOptions: true } : {}),
      holder: `hlconnect import batchleads ${file}`,
      signal: interrupt.signal,
    });
  } catch (err) {
    progress?.clear();
    if (err instanceof ImportIncompleteError) {
      printSummary(err.summary, flags.json === true);
      throw new CliError(err.message, 1);
    }
    if (err instanceof ExportFileError) throw new CliError(err.message, 2);
    // Another import holds the state: 75 (EX_TEMPFAIL) says "try again later" to a script.
    if (err instanceof ImportLockedError) throw new CliError(err.message, 75);
    throw err;
  } finally {
    process.off("SIGINT", onSigint);
  }
  progress?.clear();
  printSummary(summary, flags.json === true);
  if (!summary.complete) {
    throw new CliError("interrupted: run the same command again to finish the import where it stopped", 130);
  }
  if (summary.leadsFailed > 0) process.exitCode = 1;
}

function printSummary(summary: ImportSummary, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`${formatSummary(summary)}\n`);
}

/** One line on stderr, redrawn in place; at most ten times a second. */
class ProgressBar {
  private last = 0;
  private drawn = false;

  update(p: ImportProgress): void {
    const now = Date.now();
    if (p.done < p.total && now - this.last < 100) return;
    this.last = now;
    const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const width = 30;
    const filled = Math.round(ratio * width);
    const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
    const what =
      p.phase === "reading"
        ? `reading ${size(p.done)} of ${size(p.total)}`
        : `syncing ${p.done}/${p.total} leads`;
    process.stderr.write(`\r[${bar}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${what}\u001b[K`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) process.stderr.write("\r\u001b[K");
    this.drawn = false;
  }
}

function size(bytes: number): string {
  return bytes < 1e6 ? `${Math.ceil(bytes / 1e3)} KB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
