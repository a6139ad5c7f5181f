// Issue 15, figure: ingest under load. 2,000 signed HighLevel webhooks at 200/s against `hlconnect
// serve` (own process, the sandbox in another): every delivery must be answered within 1 s with 200
// or 429, every 200 must have exactly one run, and every 429, delivered again (as HighLevel does),
// must end in a 200. The webhooks are signed here with a key of our own, given to serve.
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { percentile } from "../lib/drive.ts";
import type { Figure } from "../lib/report.ts";
import { startSandboxProcess } from "../lib/sandbox-process.ts";
import { freePort, type ServeProcess, startServeProcess } from "../lib/serve-process.ts";

const FLOW = `id: ingest-bench
name: One run per contact event
trigger:
  op: highlevel.events.contact-create
filter: trigger.bench exists
steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input:
      contactId: "{{ trigger.id }}"
      tags: [bench]
`;

export async function ingestUnderLoad(quick: boolean): Promise<Figure[]> {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const sb = await startSandboxProcess(["--rate-limit", "100000/1000"]);
  const flowsDir = mkdtempSync(path.join(tmpdir(), "hlconnect-bench-ingest-"));
  writeFileSync(path.join(flowsDir, "ingest-bench.yaml"), FLOW);
  const serve = await startServeProcess({
    port: await freePort(),
    flowsDir,
    baseUrl: sb.info.baseUrl,
    webhookPublicKey: publicKey.export({ type: "spki", format: "pem" }) as string,
  });
  try {
    await serve.api("connections", {
      body: { kind: "pit", token: sb.info.locationToken, label: "bench", locationId: sb.info.locationId },
    });
    const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    let runsBefore = 0;
    const phase = async (total: number, perSecond: number, label: string, idPrefix: string) => {
      const result = await sendFromOwnProcess({
        url: `${serve.serverUrl}/webhooks/highlevel`,
        privateKeyPem,
        locationId: sb.info.locationId,
        total,
        perSecond,
        idPrefix,
      });
      const runs = (await countRuns(serve, runsBefore + result.ok)) - runsBefore;
      runsBefore += runs;
      return phaseFigures(label, total, perSecond, result, runs);
    };
    // The target: 200/s, every answer within 1 s. Then five times that rate: still within 1 s (with
    // 429s the sender delivers again if the server falls behind). Much faster senders measure the
    // sender itself on this machine (it signs every delivery), not the server.
    return [
      ...(await phase(quick ? 400 : 2000, 200, "", "bench-contact")),
      ...(await phase(quick ? 1000 : 5000, 1000, "5x the rate: ", "burst-contact")),
    ];
  } finally {
    await serve.stop();
    await sb.stop();
    rmSync(flowsDir, { recursive: true, force: true });
  }
}

/** The ingest flow's runs once there are at least `expected` (or after two minutes): each event's run. */
async function countRuns(serve: ServeProcess, expected: number): Promise<number> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    let runs = 0;
    let cursor: string | undefined;
    do {
      const page = await serve.api<{ runs: unknown[]; nextCursor?: string }>(
        `runs?flowId=ingest-bench&limit=500${cursor ? `&cursor=${cursor}` : ""}`,
      );
      runs += page.runs.length;
      cursor = page.nextCursor;
    } while (cursor);
    if (runs >= expected || Date.now() > deadline) return runs;
    await new Promise((r) => setTimeout(r, 500));
  }
}

function phaseFigures(
  label: string,
  total: number,
  perSecond: number,
  { ok, tooMany, other, resets, slow, latencies }: SenderResult,
  runs: number,
): Figure[] {
  latencies.sort((a, b) => a - b);
  const suite = "ingest";
  const max = latencies.at(-1) ?? 0;
  return [
    { suite, figure: `${label}deliveries at ${perSecond}/s`, unit: "count", ours: total, peer: null },
    {
      suite,
      figure: `${label}acknowledged 200 (at once or after 429s)`,
      unit: "count",
      ours: ok,
      peer: null,
      target: `= ${total}`,
      met: ok === total,
    },
    {
      suite,
      figure: `${label}answered 429 (then delivered again)`,
      unit: "count",
      ours: tooMany,
      peer: null,
    },
    {
      suite,
      figure: `${label}answers slower than 1 s`,
      unit: "count",
      ours: slow,
      peer: null,
      target: "= 0",
      met: slow === 0,
    },
    {
      suite,
      figure: `${label}other answers`,
      unit: "count",
      ours: other,
      peer: null,
      target: "= 0",
      met: other === 0,
    },
    {
      suite,
      figure: `${label}connections reset (sent again)`,
      unit: "count",
      ours: resets,
      peer: null,
      target: "= 0",
      met: resets === 0,
    },
    {
      suite,
      figure: `${label}answer time p50`,
      unit: "ms",
      ours: round(percentile(latencies, 50)),
      peer: null,
      better: "lower",
    },
    {
      suite,
      figure: `${label}answer time p99`,
      unit: "ms",
      ours: round(percentile(latencies, 99)),
      peer: null,
      better: "lower",
    },
    {
      suite,
      figure: `${label}answer time max`,
      unit: "ms",
      ours: round(max),
      peer: null,
      target: "< 1000",
      met: max < 1000,
    },
    {
      suite,
      figure: `${label}runs for the acknowledged events`,
      unit: "count",
      ours: runs,
      peer: null,
      target: `= ${ok}`,
      met: runs === ok,
    },
  ];
}

const round = (n: number) => Math.round(n * 10) / 10;

interface SenderResult {
  ok: number;
  tooMany: number;
  other: number;
  resets: number;
  slow: number;
  latencies: number[];
}

/** Run the signed-webhook sender in a child process and read its one-line JSON report. */
function sendFromOwnProcess(input: {
  url: string;
  privateKeyPem: string;
  locationId: string;
  total: number;
  perSecond: number;
  /** The events' contact ids start with it: each phase's events are new contacts. */
  idPrefix: string;
}): Promise<SenderResult> {
  const script = fileURLToPath(new URL("../lib/webhook-sender.mjs", import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, JSON.stringify(input)],
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: "" } },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`the webhook sender failed: ${stderr || error.message}`));
        resolve(JSON.parse(stdout) as SenderResult);
      },
    );
  });
}
