// Dry-run import throughput and peak memory, measured the way a user runs it: `hlconnect import
// batchleads FILE --dry-run --json` in a child process, its peak RSS read from /proc (VmHWM).
// Usage: npx tsx packages/batchleads/scripts/profile-dry-run.ts [rows=200000] [--cpu-prof]
// The generated file is kept in the temp dir and reused by the next run with the same row count.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeMessyExport } from "../test/fixtures/messy.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const BIN = path.join(ROOT, "packages/app/bin/hlconnect.mjs");

const args = process.argv.slice(2);
const rows = Number(args.find((a) => /^\d+$/.test(a)) ?? 200_000);
const cpuProf = args.includes("--cpu-prof");

function peakKiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // exited between two polls
  }
}

const file = path.join(tmpdir(), `bl-profile-${rows}.csv`);
if (!existsSync(file)) {
  const t = performance.now();
  await writeMessyExport(`${file}.part`, { rows, seed: 7 });
  const { renameSync } = await import("node:fs");
  renameSync(`${file}.part`, file);
  console.error(`generated ${file} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

const profDir = path.join(tmpdir(), "bl-profile-cpu");
if (cpuProf) {
  rmSync(profDir, { recursive: true, force: true });
  mkdirSync(profDir, { recursive: true });
}
const rejected = path.join(tmpdir(), `bl-profile-${rows}.rejected.csv`);
const started = performance.now();
const child = spawn(
  process.execPath,
  [
    ...(cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : []),
    BIN,
    "import",
    "batchleads",
    file,
    "--dry-run",
    "--json",
    "--rejected",
    rejected,
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
let peak = 0;
const poll = setInterval(() => {
  peak = Math.max(peak, peakKiB(child.pid!));
}, 20);
let out = "";
child.stdout!.on("data", (d: Buffer) => {
  out += d.toString();
});
const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
clearInterval(poll);
const wall = (performance.now() - started) / 1000;
if (code !== 0) {
  console.error(`the import exited with ${code}`);
  process.exitCode = 1;
}
const summary = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as {
  leads?: number;
  rowsRead?: number;
  durationMs?: number;
};
const leads = summary.leads ?? 0;
const seconds = (summary.durationMs ?? 0) / 1000;
console.log(
  JSON.stringify({
    rows,
    rowsRead: summary.rowsRead,
    leads,
    importSeconds: Number(seconds.toFixed(2)),
    wallSeconds: Number(wall.toFixed(2)),
    leadsPerSecond: seconds > 0 ? Math.round(leads / seconds) : 0,
    leadsPerSecondWall: Math.round(leads / wall),
    peakRssMB: Math.round(peak / 1024),
    ...(cpuProf ? { cpuProfileDir: profDir } : {}),
  }),
);
