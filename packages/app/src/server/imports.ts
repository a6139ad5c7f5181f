// BatchLeads imports started from the web app: the uploaded file is kept in the data dir with a
// record of the import (status, progress, summary, rejected rows), so past imports can be reopened
// after a restart. The import itself runs in this process through the same options as
// `hlconnect import batchleads`, and its summary is the one `--json` prints.
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { isExportColumn } from "@hlconnect/batchleads/file/columns";
import { csvRecords } from "@hlconnect/batchleads/file/csv";
import { ExportFileError, isRowError, readExportRows } from "@hlconnect/batchleads/file/read";
import {
  ImportIncompleteError,
  type ImportSummary,
  importLockHolder,
  runImport,
} from "@hlconnect/batchleads/sync/index";
import type { HighLevelClient } from "@hlconnect/client";
import { importRunOptions } from "../batchleads/run-options.ts";
import { HttpError } from "./http-errors.ts";
import type { AppLogger } from "./logging.ts";

/**
 * "interrupted": the server stopped (a restart, a crash) while the import was queued or running; its
 * upload is kept, and resuming it sends only what the import state has not recorded as sent.
 */
export type ImportStatus = "queued" | "running" | "succeeded" | "failed" | "interrupted";

export interface RejectedRowView {
  row: number;
  reason: string;
  values: Record<string, string>;
}

export interface ImportRecord {
  id: string;
  /** The name the user gave the file (shown only). */
  file: string;
  /** The name it is kept under in the import's folder (absent in records written before it existed). */
  upload?: string;
  dryRun: boolean;
  locationId?: string;
  connectionId?: string;
  status: ImportStatus;
  createdAt: string;
  finishedAt?: string;
  /** When it was last resumed after an interruption. */
  resumedAt?: string;
  progress: { phase: "reading" | "syncing"; done: number; total: number; percent: number };
  summary?: ImportSummary;
  rejected?: RejectedRowView[];
  error?: string;
}

/** Rejected rows shown with an import (the whole list is in the rejected-rows CSV). */
const MAX_REJECTED_SHOWN = 500;
/** Columns a file must have for it to be taken as a BatchLeads export. */
const KEY_COLUMNS = ["Property Address", "Apn"];
const EXPECTED =
  "Property Address, Property City, Property State, Property Zip, First Name, Last Name, Lead Status";

export class ImportJobs {
  readonly #dir: string;
  readonly #dataDir: string;
  readonly #live = new Map<string, ImportRecord>();
  readonly #running = new Set<Promise<void>>();
  /**
   * The real import under way, from its upload until it ends. Every real import of this server writes
   * the same state file, and an import starting there drops the staging of any other, so a second
   * real import (any location) while one runs would silently cut the first one short: it is refused.
   */
  #real: { id: string; locationId?: string } | undefined;
  readonly #logger: Pick<AppLogger, "error"> | undefined;

  constructor(dataDir: string, logger?: Pick<AppLogger, "error">) {
    this.#dir = path.join(dataDir, "imports");
    this.#dataDir = dataDir;
    this.#logger = logger;
  }

  /** Keep an upload; refuse (422) a file that is not a BatchLeads export before any import starts. */
  async accept(
    name: string,
    bytes: Uint8Array,
    o: { dryRun: boolean; locationId?: string; connectionId?: string },
  ) {
    const id = `imp_${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
    if (!o.dryRun) this.#claim(id, o.locationId);
    const folder = path.join(this.#dir, id);
    // The user's name is only shown: the upload is kept under a fixed name, so no name (`..`,
    // `import.json`, `rejected.csv`) can reach outside the file or overwrite the folder's other files.
    const shown =
      path
        .basename(name)
        .replace(/[^\w.\- ]+/g, "_")
        .slice(0, 120) || "export.csv";
    const upload = uploadName(name);
    mkdirSync(folder, { recursive: true });
    try {
      const file = path.join(folder, upload);
      writeFileSync(file, bytes);
      await checkExport(file, shown);
    } catch (err) {
      // A refused upload leaves nothing behind: it has no record, so nothing would ever list or remove it.
      rmSync(folder, { recursive: true, force: true });
      if (this.#real?.id === id) this.#real = undefined;
      throw err;
    }
    const record: ImportRecord = {
      id,
      file: shown,
      upload,
      dryRun: o.dryRun,
      ...(o.locationId ? { locationId: o.locationId } : {}),
      ...(o.connectionId ? { connectionId: o.connectionId } : {}),
      status: "queued",
      createdAt: new Date().toISOString(),
      progress: { phase: "reading", done: 0, total: bytes.length, percent: 0 },
    };
    this.#save(record);
    return record;
  }

  /** Run the import in the background; its record follows its progress. */
  start(record: ImportRecord, client?: HighLevelClient, dataDir?: string): void {
    const file = path.join(this.#dir, record.id, record.upload ?? record.file);
    const rejectedFile = path.join(this.#dir, record.id, "rejected.csv");
    record.status = "running";
    this.#live.set(record.id, record);
    let lastSaved = 0;
    const job = (async () => {
      try {
        const summary = await runImport({
          ...importRunOptions({
            file,
            dryRun: record.dryRun,
            locationId: record.locationId,
            client,
            dataDir,
            rejectedFile,
          }),
          holder: `web import ${record.id}`,
          onProgress: (p) => {
            // Reading counts up to half the bar, syncing the other half.
            const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
            const percent = Math.floor((p.phase === "reading" ? ratio / 2 : 0.5 + ratio / 2) * 100);
            record.progress = { phase: p.phase, done: p.done, total: p.total, percent };
            if (Date.now() - lastSaved > 1000) {
              lastSaved = Date.now();
              this.#save(record);
            }
          },
        });
        record.summary = summary;
        record.progress = { ...record.progress, percent: 100 };
      } catch (err) {
        if (err instanceof ImportIncompleteError) record.summary = err.summary;
        record.error =
          err instanceof Error
            ? err.message.replaceAll(path.join(this.#dir, record.id) + path.sep, "")
            : String(err);
      }
      if (record.summary?.rejectedFile) record.rejected = await readRejected(record.summary.rejectedFile);
      // The status changes last: whoever sees the import finished sees all of it.
      record.status = record.error ? "failed" : "succeeded";
      record.finishedAt = new Date().toISOString();
      this.#save(record);
      this.#live.delete(record.id);
    })().catch((err: unknown) => {
      // Past the import itself (reading the rejected rows, the final save: a full disk, a removed
      // data dir): an escaped rejection would stop the whole server. The record stays in memory,
      // failed, so the page polling it still gets an answer.
      const message = err instanceof Error ? err.message : String(err);
      record.error ??= `the import's record could not be kept: ${message}`;
      record.status = "failed";
      record.finishedAt ??= new Date().toISOString();
      this.#logger?.error({ err, importId: record.id }, "web import: finishing the import failed");
    });
    this.#running.add(job);
    job.finally(() => {
      this.#running.delete(job);
      if (this.#real?.id === record.id) this.#real = undefined;
    });
  }

  /** Hold the state file for a real import, or 409 naming the import that holds it. */
  #claim(id: string, locationId: string | undefined): void {
    const running = this.#real;
    if (running) {
      throw new HttpError(
        409,
        `an import is running (${running.id}${running.locationId ? ` into location ${running.locationId}` : ""}): real imports share one state file and run one at a time; start this one when GET /api/imports/${running.id} says it has finished`,
        { runningImport: running.id },
      );
    }
    // Another process (`hlconnect import batchleads` on the same data dir) may hold the state file: the
    // import would fail on its lock at start, so say it now.
    const stateFile = importRunOptions({ file: "", dryRun: false, dataDir: this.#dataDir }).stateFile;
    const other = stateFile ? importLockHolder(stateFile) : undefined;
    if (other) {
      throw new HttpError(
        409,
        `another import is running on this server's import state (${other.what}, process ${other.pid}, since ${other.startedAt}): imports run one at a time; start this one when it has finished`,
        { runningImport: other.what },
      );
    }
    this.#real = { id, ...(locationId ? { locationId } : {}) };
  }

  get(id: string): ImportRecord | undefined {
    const live = this.#live.get(id);
    if (live) return live;
    if (!/^imp_[a-z0-9]+$/.test(id)) return undefined;
    const file = path.join(this.#dir, id, "import.json");
    if (!existsSync(file)) return undefined;
    const record = JSON.parse(readFileSync(file, "utf8")) as ImportRecord;
    // Queued or running on disk but not in this process: the server stopped during it.
    if (record.status === "queued" || record.status === "running") return interrupted(record);
    return record;
  }

  /**
   * Start an interrupted import again from its kept upload, in place (same id). The import state
   * remembers what was sent, so rows already in HighLevel are recognised, not sent a second time.
   */
  resume(id: string, client?: HighLevelClient, dataDir?: string): ImportRecord {
    const record = this.get(id);
    if (!record) throw new HttpError(404, `no import "${id}"`);
    if (record.status !== "interrupted") {
      throw new HttpError(
        409,
        `import "${id}" is ${record.status}: only an interrupted import can be resumed`,
      );
    }
    const upload = path.join(this.#dir, id, record.upload ?? record.file);
    if (!existsSync(upload)) {
      throw new HttpError(409, `import "${id}" cannot be resumed: its upload is gone; import the file again`);
    }
    if (!record.dryRun) this.#claim(id, record.locationId);
    const { error: _e, finishedAt: _f, summary: _s, rejected: _r, ...rest } = record;
    const resumed: ImportRecord = {
      ...rest,
      status: "queued",
      resumedAt: new Date().toISOString(),
      progress: { phase: "reading", done: 0, total: 0, percent: 0 },
    };
    this.#save(resumed);
    this.start(resumed, client, dataDir);
    return resumed;
  }

  /** Newest first, without their rejected rows. */
  list(): ImportRecord[] {
    if (!existsSync(this.#dir)) return [];
    return readdirSync(this.#dir)
      .filter((d) => d.startsWith("imp_"))
      .sort()
      .reverse()
      .flatMap((id) => {
        const r = this.get(id);
        if (!r) return [];
        const { rejected: _r, ...rest } = r;
        return [rest];
      });
  }

  /** Wait for the imports in progress (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.#running]);
  }

  #save(record: ImportRecord): void {
    const folder = path.join(this.#dir, record.id);
    const temp = path.join(folder, "import.json.tmp");
    writeFileSync(temp, JSON.stringify(record));
    renameSync(temp, path.join(folder, "import.json"));
  }
}

function interrupted(record: ImportRecord): ImportRecord {
  const { done, total, phase } = record.progress;
  const where = total > 0 ? ` (${phase === "reading" ? "reading" : "sending"}: ${done} of ${total})` : "";
  return {
    ...record,
    status: "interrupted",
    error:
      `hlconnect stopped during this import${where}. Resume it: rows already sent to HighLevel are ` +
      "recognised and not sent again",
  };
}

/** The upload's fixed name: the extension from a short list (the format itself is sniffed from the bytes). */
function uploadName(name: string): string {
  return path.extname(name).toLowerCase() === ".xlsx" ? "upload.xlsx" : "upload.csv";
}

/** A clear 422 for a file that is not a BatchLeads export (wrong columns, binary, empty). */
async function checkExport(file: string, name: string): Promise<void> {
  let columns: string[] = [];
  try {
    for await (const item of readExportRows(file)) {
      if (isRowError(item)) continue;
      columns = Object.keys(item.values);
      break;
    }
  } catch (err) {
    if (err instanceof ExportFileError) {
      throw new HttpError(
        422,
        `"${name}" is not a BatchLeads export: ${err.message.replace(`${file}: `, "")}. Expected a CSV or XLSX export with the columns ${EXPECTED}`,
      );
    }
    throw err;
  }
  const known = columns.filter(isExportColumn);
  if (known.length < 3 || !KEY_COLUMNS.some((k) => known.includes(k))) {
    throw new HttpError(
      422,
      `"${name}" is not a BatchLeads export: expected its header row with columns such as ${EXPECTED}` +
        (columns.length
          ? ` (found: ${columns.slice(0, 8).join(", ")}${columns.length > 8 ? ", ..." : ""})`
          : " (found no data rows)"),
      { expectedColumns: EXPECTED.split(", "), foundColumns: columns.slice(0, 50) },
    );
  }
}

/** The rejected-rows CSV (row, reason, then the row's values) as objects. */
async function readRejected(file: string): Promise<RejectedRowView[]> {
  if (!existsSync(file)) return [];
  const out: RejectedRowView[] = [];
  let header: string[] | undefined;
  for await (const item of csvRecords({ path: file, delimiter: ",", size: statSync(file).size })) {
    if (item.kind !== "record") continue;
    if (!header) {
      header = item.cells;
      continue;
    }
    const values: Record<string, string> = {};
    header.slice(2).forEach((h, i) => {
      const v = item.cells[i + 2];
      if (v) values[h] = v;
    });
    out.push({ row: Number(item.cells[0]), reason: item.cells[1] ?? "", values });
    if (out.length >= MAX_REJECTED_SHOWN) break;
  }
  return out;
}
