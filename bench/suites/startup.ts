// Issue 14: how fast the compiled `hlconnect` answers, next to `node -e ''` measured in the same run
// on the same machine (the ratio is what the budgets are about: this machine is shared and noisy).
// `--help` and `ops list --json` are timed to exit; `serve` until /healthz answers 200; RSS of --help.
// The build is made first, so the figures are of the current sources.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { percentile } from "../lib/drive.ts";
import type { Figure } from "../lib/report.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "packages/app/bin/hlconnect.mjs");
const MAX_RSS = path.join(import.meta.dirname, "../lib/max-rss.mjs");
const ENV = { ...process.env, HLCONNECT_FROM_SOURCE: "0" };

function timeOnce(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env: ENV, stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Median wall time of each command, the commands taking turns so load hits them alike. */
function medians(commands: Record<string, string[]>, rounds: number): Record<string, number> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < rounds; i++)
    for (const [k, args] of Object.entries(commands)) times[k]!.push(timeOnce(args));
  return Object.fromEntries(
    Object.entries(times).map(([k, t]) => [
      k,
      percentile(
        [...t].sort((a, b) => a - b),
        50,
      ),
    ]),
  );
}

function helpRssMiB(): number {
  const r = spawnSync(process.execPath, ["--import", MAX_RSS, BIN, "--help"], { env: ENV, encoding: "utf8" });
  const kib = Number(/max-rss-kib (\d+)/.exec(r.stderr)?.[1]);
  return kib / 1024;
}

function nodeRssMiB(): number {
  const r = spawnSync(process.execPath, ["--import", MAX_RSS, "-e", ""], { encoding: "utf8" });
  return Number(/max-rss-kib (\d+)/.exec(r.stderr)?.[1]) / 1024;
}

/** From spawning `hlconnect serve` to the first 200 from /healthz. */
async function serveReadyMs(): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), "hlc-bench-serve-"));
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--port", "0", "--json", "--log-level", "warn", "--data", dir],
    {
      env: { ...ENV, HLCONNECT_SECRET: "bench-secret-0123456789" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        const line = out.split("\n")[0];
        if (out.includes("\n")) resolve((JSON.parse(line!) as { serverUrl: string }).serverUrl);
      });
      child.once("exit", (code) => reject(new Error(`serve exited ${code}`)));
    });
    for (;;) {
      const res = await fetch(`${url}/healthz`).catch(() => undefined);
      if (res?.status === 200) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    return performance.now() - t0;
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startup(quick: boolean): Promise<Figure[]> {
  execFileSync(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/package/build-app.ts")], {
    cwd: ROOT,
    stdio: "ignore",
  });
  const rounds = quick ? 5 : 15;
  const m = medians(
    {
      node: ["-e", ""],
      help: [BIN, "--help"],
      opsList: [BIN, "ops", "list", "--json"],
    },
    rounds,
  );
  const serves: number[] = [];
  for (let i = 0; i < (quick ? 2 : 5); i++) serves.push(await serveReadyMs());
  const serve = percentile(
    serves.sort((a, b) => a - b),
    50,
  );
  const rss = helpRssMiB();
  const suite = "startup";
  const peerName = "node -e ''";
  return [
    {
      suite,
      figure: "hlconnect --help (median wall time)",
      unit: "ms",
      ours: Math.round(m.help!),
      peer: Math.round(m.node!),
      peerName,
      target: "<= 2x node (< 300 ms)",
      met: m.help! <= 2 * m.node!,
      better: "lower",
    },
    {
      suite,
      figure: "hlconnect ops list --json (median wall time)",
      unit: "ms",
      ours: Math.round(m.opsList!),
      peer: Math.round(m.node!),
      peerName,
      target: "<= 3x node",
      met: m.opsList! <= 3 * m.node!,
      better: "lower",
    },
    {
      suite,
      figure: "hlconnect serve: spawn to /healthz 200 (median)",
      unit: "ms",
      ours: Math.round(serve),
      peer: Math.round(m.node!),
      peerName,
      target: "< 1000 ms",
      met: serve < 1000,
      better: "lower",
    },
    {
      suite,
      figure: "hlconnect --help peak RSS",
      unit: "MiB",
      ours: Math.round(rss),
      peer: Math.round(nodeRssMiB()),
      peerName,
      target: "< 80 MiB",
      met: rss < 80,
      better: "lower",
    },
  ];
}
