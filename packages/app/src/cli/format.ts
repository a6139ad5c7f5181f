// Terminal output helpers: aligned tables and the one-line view of a run.
import type { RunRecord } from "@hlconnect/engine/store/types";
import { runDurationMs } from "../server/views.ts";

export function write(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** "1 flow", "3 flows". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return "-";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round((ms % 60_000) / 1000);
  return `${Math.floor(ms / 60_000)} min${s ? ` ${s} s` : ""}`;
}

export function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

/** `12:03:04  welcome-call-task  succeeded  212 ms  run_...` (and the error, when there is one). */
export function runLine(run: RunRecord): string {
  const parts = [
    clock(run.finishedAt ?? run.updatedAt),
    run.flowId,
    run.status,
    formatDuration(runDurationMs(run)),
    run.id,
  ];
  if (run.error) parts.push(`— ${run.error.stepId ? `step ${run.error.stepId}: ` : ""}${run.error.message}`);
  return parts.join("  ");
}

/** The JSON event `serve --json` prints for a finished run. */
export function runEvent(run: RunRecord): Record<string, unknown> {
  return {
    event: "run",
    time: new Date(run.finishedAt ?? run.updatedAt).toISOString(),
    runId: run.id,
    flowId: run.flowId,
    status: run.status,
    durationMs: runDurationMs(run) ?? null,
    ...(run.error ? { error: run.error } : {}),
  };
}
