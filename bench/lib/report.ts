// One row per figure: ours next to the peer's, the ratio, the target and whether it is met.
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";

export interface Figure {
  suite: string;
  figure: string;
  unit: string;
  ours: number | null;
  peer: number | null;
  peerName?: string;
  /** Human-readable target, e.g. ">= 95%". */
  target?: string;
  met?: boolean;
  /** Which direction is better, for the ratio's reading. */
  better?: "higher" | "lower";
  note?: string;
}

export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

function fmt(n: number | null): string {
  if (n === null || Number.isNaN(n)) return "-";
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2);
}

export function ratio(f: Figure): number | null {
  if (f.ours === null || f.peer === null || f.peer === 0) return null;
  return f.ours / f.peer;
}

export function printTable(figures: Figure[]): void {
  const rows = [
    ["suite", "figure", "ours", "peer", "ratio", "target", "met?"],
    ...figures.map((f) => [
      f.suite,
      `${f.figure} (${f.unit})`,
      fmt(f.ours),
      f.peer === null ? "-" : `${fmt(f.peer)}${f.peerName ? ` ${f.peerName}` : ""}`,
      fmt(ratio(f)),
      f.target ?? "-",
      f.met === undefined ? "-" : f.met ? "yes" : "NO",
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const [i, r] of rows.entries()) {
    process.stdout.write(`${r.map((c, j) => c.padEnd(widths[j]!)).join("  ")}\n`);
    if (i === 0) process.stdout.write(`${widths.map((w) => "-".repeat(w)).join("  ")}\n`);
  }
}

/**
 * Write this run's figures. A run of some suites (--only) replaces only their figures: the others'
 * stay as they were measured, each figure carrying the date of its own run.
 */
export function writeResults(file: string, figures: Figure[], quick: boolean): void {
  const date = new Date().toISOString();
  const ran = new Set(figures.map((f) => f.suite));
  const kept = previousFigures(file).filter((f) => !ran.has(f.suite));
  const out = {
    date,
    quick,
    machine: machine(),
    figures: [...kept, ...figures.map((f) => ({ ...f, ratio: ratio(f), measured: date }))],
  };
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
}

function previousFigures(file: string): Array<Figure & { measured?: string }> {
  try {
    const old = JSON.parse(readFileSync(file, "utf8")) as {
      date?: string;
      figures?: Array<Figure & { measured?: string }>;
    };
    return (old.figures ?? []).map((f) => ({ ...f, measured: f.measured ?? old.date }));
  } catch {
    return []; // no earlier results (or unreadable): this run's figures alone
  }
}
