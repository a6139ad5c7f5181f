// Progress for a log, not a terminal: a plain line every few seconds, so a cron job or CI run sees the
// import move instead of nothing until the end.
import type { ImportProgress } from "./run-import.ts";

export function progressLines(
  write: (line: string) => void,
  everyMs = 5000,
  clock: () => number = Date.now,
): (p: ImportProgress) => void {
  const started = clock();
  let last = started;
  return (p) => {
    const t = clock();
    if (t - last < everyMs) return;
    last = t;
    const pct = p.total > 0 ? Math.min(100, Math.round((p.done / p.total) * 100)) : 0;
    const elapsed = `${((t - started) / 1000).toFixed(0)} s`;
    const what =
      p.phase === "reading"
        ? `reading the file: ${pct}% (${mb(p.done)} of ${mb(p.total)})`
        : `syncing: ${p.done} of ${p.total} leads (${pct}%)`;
    write(`import batchleads: ${what}, ${elapsed}`);
  };
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
