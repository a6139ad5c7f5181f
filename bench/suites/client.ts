// Issue 2's figures: client overhead against an unlimited sandbox at concurrency 1 and 50, and
// behaviour under a 100-per-window limit (300 concurrent calls), ours next to the official SDK.
import { HighLevelClient } from "@hlconnect/client";
import { sdkFor } from "../lib/drive.ts";
import type { Figure } from "../lib/report.ts";
import { type SandboxProcess, startSandboxProcess } from "../lib/sandbox-process.ts";

type Caller = () => Promise<unknown>;

async function runConcurrent(total: number, concurrency: number, call: Caller) {
  let next = 0;
  let failed = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      try {
        await call();
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { seconds, failed, rps: total / seconds };
}

async function firstContactId(sb: SandboxProcess): Promise<string> {
  const res = await fetch(`${sb.info.baseUrl}/contacts/?locationId=${sb.info.locationId}&limit=1`, {
    headers: { Authorization: `Bearer ${sb.info.locationToken}`, Version: "2021-07-28" },
  });
  const body = (await res.json()) as { contacts: Array<{ id: string }> };
  const id = body.contacts[0]?.id;
  if (!id) throw new Error("the sandbox has no seeded contact");
  return id;
}

export async function clientOverhead(quick: boolean): Promise<Figure[]> {
  const sb = await startSandboxProcess(["--rate-limit", "100000000/1000"]);
  try {
    const contactId = await firstContactId(sb);
    const ours = new HighLevelClient({
      credentials: sb.info.locationToken,
      baseUrl: sb.info.baseUrl,
      locationId: sb.info.locationId,
    });
    const sdk = sdkFor(sb.info.baseUrl, sb.info.locationToken, false);
    const oursCall = () => ours.call("get-contact", { contactId });
    const sdkCall = () => sdk.contacts.getContact({ contactId });
    const figures: Figure[] = [];
    for (const [concurrency, total] of [
      [1, quick ? 500 : 2000],
      [50, quick ? 2000 : 10000],
    ] as const) {
      await runConcurrent(100, concurrency, oursCall); // warm-up: JIT, sockets
      await runConcurrent(100, concurrency, sdkCall);
      const a = await runConcurrent(total, concurrency, oursCall);
      const b = await runConcurrent(total, concurrency, sdkCall);
      figures.push({
        suite: "client overhead",
        figure: `GET get-contact, concurrency ${concurrency}, no server limit`,
        unit: "req/s",
        ours: Math.round(a.rps),
        peer: Math.round(b.rps),
        peerName: "official SDK",
        better: "higher",
        note: `${total} requests; failed ours=${a.failed} sdk=${b.failed}`,
      });
    }
    return figures;
  } finally {
    await sb.stop();
  }
}

export async function burstAgainstLimit(): Promise<Figure[]> {
  const windowMs = 1000;
  const sb = await startSandboxProcess(["--rate-limit", `100/${windowMs}`]);
  try {
    const contactId = await firstContactId(sb);
    const calls = 300;
    const measure = async (call: Caller) => {
      await new Promise((r) => setTimeout(r, windowMs + 100)); // a fresh window for each side
      await sb.clearRequests();
      // The SDK logs every 429 retry on the console whatever its logLevel; keep the table readable.
      const { warn, error } = console;
      console.warn = () => {};
      console.error = () => {};
      const r = await runConcurrent(calls, calls, call).finally(() => {
        console.warn = warn;
        console.error = error;
      });
      const log = await sb.requests();
      return { ...r, tooMany: log.filter((x) => x.status === 429).length, sent: log.length };
    };
    // Default settings: the limiter learns the sandbox's compressed window from X-RateLimit-* headers.
    const ours = new HighLevelClient({
      credentials: sb.info.locationToken,
      baseUrl: sb.info.baseUrl,
      locationId: sb.info.locationId,
    });
    const a = await measure(() => ours.call("get-contact", { contactId }));
    const sdkRetry = sdkFor(sb.info.baseUrl, sb.info.locationToken, true);
    const b = await measure(() => sdkRetry.contacts.getContact({ contactId }));
    const sdkPlain = sdkFor(sb.info.baseUrl, sb.info.locationToken, false);
    const c = await measure(() => sdkPlain.contacts.getContact({ contactId }));
    const row = (
      figure: string,
      unit: string,
      x: number,
      y: number,
      target?: string,
      met?: boolean,
    ): Figure => ({
      suite: "300 calls vs 100/window",
      figure,
      unit,
      ours: x,
      peer: y,
      peerName: "SDK rateLimitRetry",
      better: "lower",
      ...(target ? { target } : {}),
      ...(met === undefined ? {} : { met }),
    });
    return [
      row("failed calls", "calls", a.failed, b.failed, "0", a.failed === 0),
      row("429 answers", "responses", a.tooMany, b.tooMany, "< 1% of requests", a.tooMany < 0.01 * a.sent),
      row("requests sent", "requests", a.sent, b.sent),
      row("wall time", "s", Number(a.seconds.toFixed(2)), Number(b.seconds.toFixed(2))),
      {
        suite: "300 calls vs 100/window",
        figure: "failed calls, SDK without rateLimitRetry (its default)",
        unit: "calls",
        ours: a.failed,
        peer: c.failed,
        peerName: "SDK default",
        better: "lower",
        note: `SDK default got ${c.tooMany} 429s`,
      },
    ];
  } finally {
    await sb.stop();
  }
}
