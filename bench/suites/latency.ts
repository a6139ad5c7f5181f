// Issue 7, figure 5: from a sandbox event to the start of the flow's run, through the whole path a
// user runs: the sandbox (own process) creates a contact and posts the signed ContactCreate webhook to
// `hlconnect serve` (own process, data dir, the welcome-call flow), which verifies it, stores it,
// routes it to the flow and starts the run. And the cost of an idle poll of highlevel.contacts.new.
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createContext, getEntry, pollEntry } from "@hlconnect/catalog";
import { HighLevelClient } from "@hlconnect/client";
import { percentile } from "../lib/drive.ts";
import type { Figure } from "../lib/report.ts";
import { type SandboxProcess, startSandboxProcess } from "../lib/sandbox-process.ts";
import { freePort, startServeProcess } from "../lib/serve-process.ts";

const FLOW_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../examples/flows/welcome-call-task.yaml",
);
const FLOW_ID = "welcome-call-task";
const VERSION = "2021-07-28";
const WARMUP = 2;

interface RunView {
  id: string;
  flowId: string;
  status: string;
  createdAt: string;
  startedAt?: string;
  trigger: { id?: string; timestamp?: string; type?: string };
}

async function createContact(sb: SandboxProcess, i: number): Promise<string> {
  const res = await fetch(`${sb.info.baseUrl}/contacts/`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${sb.info.locationToken}`,
      version: VERSION,
      "content-type": "application/json",
    },
    body: JSON.stringify({
      locationId: sb.info.locationId,
      firstName: `Latency${i}`,
      email: `latency-${i}@bench.example`,
    }),
  });
  const body = (await res.json()) as { contact?: { id?: string } };
  if (!res.ok || !body.contact?.id) throw new Error(`create-contact answered ${res.status}`);
  return body.contact.id;
}

/** Requests one poll makes, read from the sandbox's log (not from the trigger's own count). */
async function pollCost(sb: SandboxProcess, client: HighLevelClient, cursor: unknown) {
  const entry = getEntry("highlevel.contacts.new");
  const ctx = createContext({ client, locationId: sb.info.locationId });
  await sb.clearRequests();
  const r = await pollEntry(entry, ctx, {}, cursor as never);
  const logged = (await sb.requests()).length;
  return { ...r, logged };
}

export async function instantTriggerLatency(quick: boolean): Promise<Figure[]> {
  const contacts = quick ? 30 : 200;
  const port = await freePort();
  const sb = await startSandboxProcess([
    "--rate-limit",
    "100000/1000",
    "--webhook-url",
    `http://127.0.0.1:${port}/webhooks/highlevel`,
  ]);
  const flowsDir = mkdtempSync(path.join(tmpdir(), "hlconnect-bench-flows-"));
  let serve: Awaited<ReturnType<typeof startServeProcess>> | undefined;
  try {
    // Idle polls first, on the seeded account: nothing was added in the trigger's look-back window.
    const client = new HighLevelClient({
      credentials: sb.info.locationToken,
      baseUrl: sb.info.baseUrl,
      locationId: sb.info.locationId,
    });
    const baseline = await pollCost(sb, client, undefined);
    const idle = await pollCost(sb, client, baseline.cursor);

    copyFileSync(FLOW_FILE, path.join(flowsDir, `${FLOW_ID}.yaml`));
    serve = await startServeProcess({
      port,
      flowsDir,
      baseUrl: sb.info.baseUrl,
      webhookPublicKey: sb.info.webhookPublicKey,
    });
    await serve.api("connections", {
      body: {
        kind: "pit",
        token: sb.info.locationToken,
        label: "bench",
        locationId: sb.info.locationId,
        companyId: sb.info.companyId,
      },
    });
    // One at a time: each contact's run finishes before the next contact is made, so no run waits
    // behind another and the figure is the path's own latency.
    // The first WARMUP contacts open the connections and warm the code paths; they are not counted.
    const sentAt = new Map<string, number>();
    for (let i = 0; i < WARMUP + contacts; i++) {
      const t0 = Date.now();
      const id = await createContact(sb, i);
      if (i >= WARMUP) sentAt.set(id, t0);
      await serve.waitForRuns(i + 1, 15_000);
    }
    const { runs } = await serve.api<{ runs: RunView[] }>(`runs?flowId=${FLOW_ID}&limit=500`);
    const fromEvent: number[] = [];
    const fromRequest: number[] = [];
    const toCreated: number[] = [];
    const createdToStarted: number[] = [];
    let succeeded = 0;
    for (const run of runs) {
      const t0 = run.trigger.id ? sentAt.get(run.trigger.id) : undefined;
      if (t0 === undefined || !run.trigger.timestamp) continue;
      const started = Date.parse(run.startedAt ?? run.createdAt);
      fromEvent.push(started - Date.parse(run.trigger.timestamp));
      fromRequest.push(started - t0);
      toCreated.push(Date.parse(run.createdAt) - Date.parse(run.trigger.timestamp));
      createdToStarted.push(started - Date.parse(run.createdAt));
      if (run.status === "succeeded") succeeded++;
    }
    for (const list of [fromEvent, fromRequest, toCreated, createdToStarted]) list.sort((a, b) => a - b);

    // An idle poll right after those contacts: they are inside the trigger's look-back window.
    const afterBurst0 = await pollCost(sb, client, undefined);
    const afterBurst = await pollCost(sb, client, afterBurst0.cursor);

    const suite = "instant trigger (serve + sandbox, 2 processes)";
    const note =
      `${contacts} contacts created one at a time (after ${WARMUP} not counted); ${fromEvent.length} runs matched, ${succeeded} succeeded. ` +
      "No peer in this run: Zapier's HighLevel triggers poll, every 1 to 15 minutes by plan, " +
      "so its latency is 60,000 to 900,000 ms plus the poll itself";
    return [
      {
        suite,
        figure: "webhook timestamp -> run started, p50",
        unit: "ms",
        ours: Math.round(percentile(fromEvent, 50)),
        peer: null,
        better: "lower",
        note,
      },
      {
        suite,
        figure: "webhook timestamp -> run started, p99",
        unit: "ms",
        ours: Math.round(percentile(fromEvent, 99)),
        peer: null,
        better: "lower",
        note:
          `max ${Math.round(fromEvent.at(-1) ?? Number.NaN)} ms. Where it goes (p50 / p99): event -> run created ` +
          `(delivery, signature check, inbox, routing) ${Math.round(percentile(toCreated, 50))} / ` +
          `${Math.round(percentile(toCreated, 99))} ms; run created -> started (queue, worker) ` +
          `${Math.round(percentile(createdToStarted, 50))} / ${Math.round(percentile(createdToStarted, 99))} ms`,
      },
      {
        suite,
        figure: "create-contact request sent -> run started, p50 / p99",
        unit: "ms",
        ours: Math.round(percentile(fromRequest, 50)),
        peer: null,
        better: "lower",
        note: `p99 ${Math.round(percentile(fromRequest, 99))} ms (includes the API call that made the contact)`,
      },
      {
        suite: "polling trigger",
        figure: "idle poll of highlevel.contacts.new",
        unit: "requests",
        ours: idle.logged,
        peer: null,
        target: "1",
        met: idle.logged === 1 && idle.items.length === 0,
        better: "lower",
        note: `the trigger counted ${idle.requests}; the first poll (baseline) cost ${baseline.logged}`,
      },
      {
        suite: "polling trigger",
        figure: `idle poll within the look-back window of ${contacts} new contacts`,
        unit: "requests",
        ours: afterBurst.logged,
        peer: null,
        better: "lower",
        note:
          `emitted ${afterBurst.items.length} items as new (no contact was added after the baseline poll); it ` +
          "pages (50 a page) through every contact inside its 2-minute look-back before it stops" +
          (afterBurst.items.length
            ? ", and the baseline poll read only the newest page, so the older ones of the look-back looked new"
            : ""),
      },
    ];
  } finally {
    await serve?.stop();
    await sb.stop();
    rmSync(flowsDir, { recursive: true, force: true });
  }
}
