// Issue 14: how fast the compiled `hlconnect` answers, next to `node -e ''` measured in the same run
// on the same machine (the ratio is what the budgets are about: this machine is shared and noisy).
// `--help` and `ops list --json` are timed to exit; `serve` until /healthz first answers (503 "starting",
// the port is bound before the engine loads) and until it answers 200 (ready); RSS of --help.
// The build is made first, so the figures are of the current sources.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
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

/** A port nothing listens on now (the OS picks it; closed again before serve binds it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * From spawning `hlconnect serve` to its first answer on /healthz (503 "starting" while the engine
 * opens: the port is bound first), and to the first 200 once its JSON line says it is ready. Nothing
 * polls between the first answer and that line: answering a poll every 5 ms would slow the start.
 */
async function serveTimes(): Promise<{ firstMs: number; readyMs: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), "hlc-bench-serve-"));
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--port", String(port), "--json", "--log-level", "warn", "--data", dir],
    {
      env: { ...ENV, HLCONNECT_SECRET: "bench-secret-0123456789" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${stderr}`))),
  );
  exited.catch(() => {});
  const printed = new Promise<string>((resolve) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve((JSON.parse(out.split("\n")[0]!) as { serverUrl: string }).serverUrl);
    });
  });
  const healthz = (url: string) => Promise.race([fetch(`${url}/healthz`).catch(() => undefined), exited]);
  try {
    let firstMs: number | undefined;
    while (firstMs === undefined) {
      if (await healthz(`http://127.0.0.1:${port}`)) firstMs = performance.now() - t0;
      else await new Promise((r) => setTimeout(r, 5));
    }
    const url = await Promise.race([printed, exited]);
    for (;;) {
      if ((await healthz(url))?.status === 200) return { firstMs, readyMs: performance.now() - t0 };
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill("SIGTERM");
    await exited.catch(() => {});
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
  const serves: Array<{ firstMs: number; readyMs: number }> = [];
  for (let i = 0; i < (quick ? 2 : 5); i++) serves.push(await serveTimes());
  const median = (xs: number[]) =>
    percentile(
      xs.sort((a, b) => a - b),
      50,
    );
  const serve = median(serves.map((s) => s.readyMs));
  const serveFirst = median(serves.map((s) => s.firstMs));
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
      figure: "hlconnect serve: spawn to first /healthz answer (503 starting; median)",
      unit: "ms",
      ours: Math.round(serveFirst),
      peer: Math.round(m.node!),
      peerName,
      target: "< 1000 ms",
      met: serveFirst < 1000,
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
