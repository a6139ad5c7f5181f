// The chaos suite (npm run test:chaos): real processes (a sandbox, the server, and this driver),
// a load of HighLevel events and hook posts against flows that create contacts, tasks and notes
// (templates with `now`), the server killed with SIGKILL at random moments and restarted on the same
// data, a share of every fault kind injected into the sandbox (reconcile lookups included). At the
// end the sandbox is counted by natural key: every event must have exactly one outcome, nothing twice,
// nothing lost. Prints the figures and exits 1 when a duplicate or a loss is found.
//   CHAOS_EVENTS (1000), CHAOS_KILLS (10), CHAOS_FAULT_RATE (0.1), CHAOS_RATE (events/s, 40), CHAOS_SEED
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const BIN = path.resolve(import.meta.dirname, "../packages/app/bin/hlconnect.mjs");
const EVENTS = Number(process.env.CHAOS_EVENTS ?? 1000);
const KILLS = Number(process.env.CHAOS_KILLS ?? 10);
const FAULT_RATE = Number(process.env.CHAOS_FAULT_RATE ?? 0.1);
const RATE = Number(process.env.CHAOS_RATE ?? 40);
let seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);
const SEED = seed;
const random = () => {
  // mulberry32: a seeded run can be repeated
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const WELCOME = `id: chaos-welcome
name: Welcome task and note for each new contact
trigger:
  op: highlevel.events.contact-create
steps:
  - id: task
    op: highlevel.contacts.tasks.create
    input:
      contactId: "{{ trigger.id }}"
      title: Welcome call
      dueDate: "{{ now | add('1 day') }}"
  - id: note
    op: highlevel.contacts.notes.create
    input:
      contactId: "{{ trigger.id }}"
      body: "Welcomed at {{ now }}"
`;
const LEAD = `id: chaos-lead
name: Lead from a hook to a contact and a note
trigger:
  webhook: {}
steps:
  - id: contact
    op: highlevel.contacts.upsert
    input:
      firstName: "{{ trigger.name }}"
      email: "{{ trigger.email }}"
  - id: note
    op: highlevel.contacts.notes.create
    input:
      contactId: "{{ steps.contact.output.contact.id }}"
      body: "Lead {{ trigger.ref }} received {{ now }}"
`;

const execFileAsync = promisify(execFile);
// biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes, each read defensively
type Json = any;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const children = new Set<ChildProcess>();

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function start(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; first: Json }> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    let resolved = false;
    const timer = setTimeout(() => reject(new Error(`${args[0]}: no first line in 60 s\n${err}`)), 60_000);
    child.stderr!.on("data", (c: Buffer) => {
      err = (err + c.toString()).slice(-4000);
    });
    // Read on after the first line (a JSON line per run), or the pipe would fill and block the child.
    child.stdout!.on("data", (c: Buffer) => {
      if (resolved) return;
      out += c.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        resolved = true;
        clearTimeout(timer);
        resolve({ child, first: JSON.parse(out.slice(0, nl)) });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited (${code}) before its first line\n${err}`));
    });
  });
}

async function main() {
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), "hlconnect-chaos-"));
  const dataDir = path.join(dir, "data");
  const flowsDir = path.join(dir, "flows");
  mkdirSync(flowsDir);
  writeFileSync(path.join(flowsDir, "welcome.yaml"), WELCOME);
  writeFileSync(path.join(flowsDir, "lead.yaml"), LEAD);
  const port = await freePort();
  const serverUrl = `http://127.0.0.1:${port}`;
  const sandbox = await start(
    [
      "sandbox",
      "--port",
      "0",
      "--json",
      "--db",
      path.join(dir, "sandbox.db"),
      "--rate-limit",
      "100000/1000",
      "--webhook-url",
      `${serverUrl}/webhooks/highlevel`,
    ],
    process.env,
  );
  const info = sandbox.first as {
    baseUrl: string;
    locationId: string;
    locationToken: string;
    webhookPublicKey: string;
  };
  const apiToken = "chaos-api-token-0123456789";
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HLCONNECT_SECRET: "a-chaos-suite-passphrase-long-enough",
    HLCONNECT_API_TOKEN: apiToken,
    HIGHLEVEL_BASE_URL: info.baseUrl,
    HIGHLEVEL_WEBHOOK_PUBLIC_KEY: info.webhookPublicKey,
    HLCONNECT_JOB_LEASE_MS: "5000",
    HLCONNECT_BACKFILL_MS: "3000",
    HIGHLEVEL_TIMEOUT_MS: "2000",
    HLCONNECT_ALLOW_PRIVATE_URLS: "127.0.0.0/8",
  };
  await execFileAsync(
    process.execPath,
    [
      BIN,
      "connections",
      "add",
      "--token",
      info.locationToken,
      "--location",
      info.locationId,
      "--data",
      dataDir,
    ],
    { env },
  );

  const hl = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(`${info.baseUrl}${p}`, {
      method,
      headers: {
        authorization: `Bearer ${info.locationToken}`,
        version: "2021-07-28",
        "content-type": "application/json",
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(5000),
    });
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status}`);
    return (await r.json()) as Json;
  };
  const faults = (config: unknown) =>
    fetch(`${info.baseUrl}/__sandbox/faults`, {
      method: config ? "POST" : "DELETE",
      headers: { "content-type": "application/json" },
      ...(config ? { body: JSON.stringify(config) } : {}),
    });

  let server: ChildProcess | undefined;
  const startServer = async () => {
    const s = await start(
      [
        "serve",
        "--port",
        String(port),
        "--data",
        dataDir,
        "--flows",
        flowsDir,
        "--json",
        "--log-level",
        "warn",
      ],
      env,
    );
    server = s.child;
  };
  await startServer();
  const flow = (await (
    await fetch(`${serverUrl}/api/flows/chaos-lead`, { headers: { authorization: `Bearer ${apiToken}` } })
  ).json()) as { flow: { hook?: { secret?: string } } };
  const hookSecret = flow.flow.hook?.secret;
  if (!hookSecret) throw new Error("no hook secret for chaos-lead");
  await sleep(1500); // the first backfill records its baseline

  // ---- load, kills, faults
  await faults({ rate: FAULT_RATE, kinds: ["429", "500", "502", "timeout", "reset"], seed: SEED });
  const killAt = new Set<number>();
  while (killAt.size < Math.min(KILLS, EVENTS)) killAt.add(Math.floor(random() * EVENTS));
  const contactEmails: string[] = [];
  const leads: Array<{ ref: string; email: string }> = [];
  let kills = 0;
  let hook429 = 0;
  let retriedSends = 0;
  const sends: Promise<void>[] = [];
  const restarting: { p?: Promise<void> } = {};
  for (let i = 0; i < EVENTS; i++) {
    if (killAt.has(i)) {
      await restarting.p; // one kill at a time: the previous restart has finished
      const victim = server!;
      const gone = new Promise((r) => victim.once("exit", r));
      victim.kill("SIGKILL");
      await gone;
      kills++;
      // Restart soon on the same data (as a supervisor would); events keep coming meanwhile.
      restarting.p = sleep(200 + random() * 800).then(startServer);
    }
    if (i % 2 === 0) {
      // A HighLevel event: a contact created in the account (the sandbox signs and delivers it).
      const email = `chaos-${SEED}-${i}@chaos.test`;
      contactEmails.push(email);
      sends.push(
        (async () => {
          for (;;) {
            try {
              await hl("POST", "/contacts/upsert", {
                locationId: info.locationId,
                firstName: `C${i}`,
                email,
              });
              return;
            } catch {
              retriedSends++; // injected fault: upsert again (same email, no second contact)
              await sleep(100);
            }
          }
        })(),
      );
    } else {
      // A hook post, sent until acknowledged (as Zapier would), with a delivery id.
      const lead = { ref: `L${i}`, email: `lead-${SEED}-${i}@chaos.test` };
      leads.push(lead);
      sends.push(
        (async () => {
          for (;;) {
            try {
              const r = await fetch(`${serverUrl}/hooks/chaos-lead`, {
                method: "POST",
                headers: {
                  "content-type": "application/json",
                  "x-hlconnect-secret": hookSecret,
                  "x-hlconnect-delivery": lead.ref,
                },
                body: JSON.stringify({ name: `Lead ${i}`, ...lead }),
                signal: AbortSignal.timeout(5000),
              });
              if (r.status === 202) return;
              if (r.status === 429) hook429++;
            } catch {
              // the server is down: try again
            }
            retriedSends++;
            await sleep(200);
          }
        })(),
      );
    }
    await sleep(1000 / RATE);
  }
  await Promise.all(sends);
  await restarting.p;

  // ---- settle: faults off, a last backfill pass, every run finished
  await faults(null);
  const api = async (p: string) =>
    (await (
      await fetch(`${serverUrl}${p}`, { headers: { authorization: `Bearer ${apiToken}` } })
    ).json()) as Json;
  const allRuns = async () => {
    const runs: Json[] = [];
    for (const flowId of ["chaos-welcome", "chaos-lead"]) {
      let cursor: string | undefined;
      do {
        const page = await api(`/api/runs?flowId=${flowId}&limit=500${cursor ? `&cursor=${cursor}` : ""}`);
        runs.push(...page.runs);
        cursor = page.nextCursor;
      } while (cursor);
    }
    return runs;
  };
  let runs: Json[] = [];
  let stableSince = Date.now();
  let last = -1;
  const settleUntil = Date.now() + 600_000;
  for (;;) {
    runs = await allRuns();
    const open = runs.filter((r) => r.status === "queued" || r.status === "running").length;
    if (runs.length !== last || open) {
      last = runs.length;
      stableSince = Date.now();
    }
    if (!open && Date.now() - stableSince > 8000) break;
    if (Date.now() > settleUntil) break;
    await sleep(1000);
  }

  // ---- count the sandbox by natural key
  let duplicates = 0;
  let lost = 0;
  const problems: string[] = [];
  const attentionRuns = runs.filter((r) => r.status === "needs_attention");
  const attentionContacts = new Set<string>(
    attentionRuns.map((r) => String(r.trigger?.id ?? r.trigger?.email ?? "")),
  );
  const notAttention = runs.filter((r) => !["succeeded", "needs_attention"].includes(r.status));
  for (const r of notAttention)
    problems.push(`run ${r.id} (${r.flowId}) ended ${r.status}: ${r.error?.message}`);
  const noReason = attentionRuns.filter((r) => !r.error?.message);
  for (const r of noReason) problems.push(`run ${r.id} needs attention without a reason`);
  const contactByEmail = async (email: string) => {
    const found = await hl(
      "GET",
      `/contacts/?locationId=${info.locationId}&query=${encodeURIComponent(email)}`,
    );
    return (found.contacts as Array<{ id: string; email?: string }>).filter((c) => c.email === email);
  };
  const welcomeRuns = new Map<string, number>();
  for (const r of runs.filter((r) => r.flowId === "chaos-welcome"))
    welcomeRuns.set(r.trigger.id, (welcomeRuns.get(r.trigger.id) ?? 0) + 1);
  for (const [id, n] of welcomeRuns) if (n > 1) problems.push(`contact ${id}: ${n} welcome runs`);
  for (const email of [...contactEmails, ...leads.map((l) => l.email)]) {
    const contacts = await contactByEmail(email);
    if (contacts.length === 0) {
      lost++;
      problems.push(`${email}: no contact`);
      continue;
    }
    if (contacts.length > 1) {
      duplicates += contacts.length - 1;
      problems.push(`${email}: ${contacts.length} contacts`);
    }
    const id = contacts[0]!.id;
    const tasks = (await hl("GET", `/contacts/${id}/tasks`)).tasks.filter(
      (t: Json) => t.title === "Welcome call",
    );
    const notes = (await hl("GET", `/contacts/${id}/notes`)).notes as Array<{ body: string }>;
    const welcomed = notes.filter((n) => n.body.startsWith("Welcomed at"));
    const excused = attentionContacts.has(id);
    for (const [what, n] of [
      ["welcome task", tasks.length],
      ["welcome note", welcomed.length],
    ] as const) {
      if (n > 1) {
        duplicates += n - 1;
        problems.push(`${email}: ${n} x ${what}`);
      } else if (n === 0 && !excused) {
        lost++;
        problems.push(`${email}: no ${what}`);
      }
    }
    const lead = leads.find((l) => l.email === email);
    if (lead) {
      const leadNotes = notes.filter((n) => n.body.startsWith(`Lead ${lead.ref} `));
      if (leadNotes.length > 1) {
        duplicates += leadNotes.length - 1;
        problems.push(`${lead.ref}: ${leadNotes.length} lead notes`);
      } else if (leadNotes.length === 0 && !attentionContacts.has(lead.email)) {
        const leadRun = runs.find((r) => r.flowId === "chaos-lead" && r.trigger?.ref === lead.ref);
        if (leadRun?.status !== "needs_attention") {
          lost++;
          problems.push(`${lead.ref}: no lead note`);
        }
      }
    }
  }
  const backfilled = runs.filter((r) => r.trigger?.hlconnectSource === "backfill").length;

  server?.kill("SIGTERM");
  sandbox.child.kill("SIGTERM");
  await sleep(500);
  for (const c of children) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });

  const figures = {
    seed: SEED,
    events: EVENTS,
    highlevelEvents: contactEmails.length,
    hookPosts: leads.length,
    kills,
    faultRate: FAULT_RATE,
    runs: runs.length,
    backfilledRuns: backfilled,
    hook429,
    retriedSends,
    duplicates,
    lost,
    needsAttention: attentionRuns.length,
    otherFailures: notAttention.length,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  console.log("\nchaos figures:");
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(16)} ${v}`);
  for (const p of problems.slice(0, 30)) console.log(`  problem: ${p}`);
  for (const r of attentionRuns.slice(0, 10))
    console.log(`  needs attention: ${r.flowId} ${r.id}: ${r.error?.message}`);
  const ok = duplicates === 0 && lost === 0 && notAttention.length === 0 && noReason.length === 0;
  console.log(ok ? "\nchaos: 1 passed, 0 failed" : "\nchaos: 0 passed, 1 failed");
  process.exitCode = ok ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  for (const c of children) c.kill("SIGKILL");
  process.exitCode = 1;
});
