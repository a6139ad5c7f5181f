// The pieces of `serve --demo` that are about the sandbox: starting it (posting its webhooks to this
// server), connecting the engine to its location, the example flows, the demo contact, and the words
// that tell a new user what is going on and what to try next. With a kept data dir (`--data DIR`) the
// sandbox lives in DIR/sandbox.db, so a restart finds its contacts again and makes no id twice (the run
// ledger remembers the ids it saw); without one it stays in memory, gone with the temporary folder.
import { existsSync } from "node:fs";
import path from "node:path";
import { registerSecret } from "@hlconnect/client";
import type { Engine } from "@hlconnect/engine/engine";
import type { FlowRecord } from "@hlconnect/engine/store/types";
import type { Sandbox, SandboxInfo } from "@hlconnect/sandbox";
import type { OAuthSettings } from "../server/oauth/settings.ts";
import { flowSummary } from "../server/views.ts";
import { formatDuration } from "./format.ts";

/** The repository's example flows, found from this file (not the working directory). */
export const EXAMPLE_FLOWS_DIR = path.resolve(import.meta.dirname, "../../../../examples/flows");
export const DEMO_CONNECTION_ID = "demo-sandbox";
/** The demo sandbox's database, inside a kept data dir. */
export const DEMO_SANDBOX_DB = "sandbox.db";
/** Sandboxes (by their info) reopened from an earlier run's database. */
const reopened = new WeakSet<SandboxInfo>();
const API_VERSION = "2021-07-28";

/**
 * The demo's sandbox, posting its webhooks to `serverUrl`. `keepIn`: a data dir that outlives this run;
 * the sandbox's data is kept there and reopened by the next run (same seed, so the same location, tokens
 * and webhook key; new ids continue on a fresh stream).
 */
export async function startDemoSandbox(serverUrl: string, keepIn?: string): Promise<Sandbox> {
  // Loaded here: `serve` without --demo never needs the emulator (its validator is slow to load).
  const { startSandbox } = await import("@hlconnect/sandbox");
  const dbFile = keepIn ? path.join(keepIn, DEMO_SANDBOX_DB) : undefined;
  const existed = dbFile ? existsSync(dbFile) : false;
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      port: 0,
      seed: 1,
      webhookUrl: `${serverUrl}/webhooks/highlevel`,
      ...(dbFile ? { dbFile } : {}),
    });
  } catch (err) {
    if (!existed) throw err;
    throw new Error(
      `the demo sandbox kept in ${dbFile} could not be opened (${(err as Error).message}): ` +
        "move it away to start a new, empty sandbox",
    );
  }
  if (existed) reopened.add(sandbox.info);
  // Whatever ends up in a log line, these never do.
  for (const secret of [sandbox.info.locationToken, sandbox.info.agencyToken, sandbox.info.clientSecret]) {
    registerSecret(secret);
  }
  return sandbox;
}

/** Whether the sandbox was reopened from an earlier run of this data dir (its contacts are there). */
export function isReopenedSandbox(info: SandboxInfo): boolean {
  return reopened.has(info);
}

/** The engine's connection to the sandbox's location (same id every time, so a kept data dir reuses it). */
export async function connectToSandbox(engine: Engine, info: SandboxInfo): Promise<void> {
  await engine.addConnection(
    {
      id: DEMO_CONNECTION_ID,
      label: "Demo Realty (sandbox)",
      kind: "pit",
      locationIds: [info.locationId],
      companyId: info.companyId,
    },
    { privateToken: info.locationToken },
  );
}

/** The sandbox's marketplace app: its consent page answers at once, so `connections oauth` works offline. */
export function sandboxOAuthSettings(info: SandboxInfo): OAuthSettings {
  return {
    clientId: info.clientId,
    clientSecret: info.clientSecret,
    apiBaseUrl: info.baseUrl,
    marketplaceUrl: `${info.baseUrl}/oauth/chooselocation`,
    appId: info.appId,
  };
}

/** A contact created through the sandbox's API, as a user (or HighLevel's UI) would. */
export async function createSandboxContact(
  info: SandboxInfo,
  contact: Record<string, unknown>,
): Promise<{ id: string }> {
  const res = await fetch(`${info.baseUrl}/contacts/`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${info.locationToken}`,
      version: API_VERSION,
      "content-type": "application/json",
    },
    body: JSON.stringify({ locationId: info.locationId, ...contact }),
  });
  const body = (await res.json()) as { contact?: { id?: string }; message?: unknown };
  if (!res.ok || !body.contact?.id) {
    throw new Error(`the sandbox answered ${res.status}: ${JSON.stringify(body.message ?? body)}`);
  }
  return { id: body.contact.id };
}

export function curlCreateContact(info: SandboxInfo): string {
  const body = JSON.stringify({ locationId: info.locationId, firstName: "Ada", email: "ada@example.com" });
  return (
    `curl -s -X POST '${info.baseUrl}/contacts/' -H 'Authorization: Bearer ${info.locationToken}' ` +
    `-H 'Version: ${API_VERSION}' -H 'Content-Type: application/json' -d '${body}'`
  );
}

export async function demoBanner(o: {
  engine: Engine;
  serverUrl: string;
  apiToken: string;
  dataDir: string;
  keepsData: boolean;
  info: SandboxInfo;
  flows: FlowRecord[];
}): Promise<string> {
  const lines = [
    "hlconnect demo: a HighLevel sandbox, a connection to it and the example flows, in this one process.",
    "",
    `  Open ${o.serverUrl}/login?token=${encodeURIComponent(o.apiToken)}   (signs this browser in)`,
    "",
    `  server   ${o.serverUrl}   (API: Authorization: Bearer ${o.apiToken})`,
    `  sandbox  ${o.info.baseUrl}   location ${o.info.locationId} "Demo Realty"`,
    ...(o.keepsData ? [`           ${sandboxWhere(o.info, o.dataDir)}`] : []),
    `  data     ${o.dataDir}${o.keepsData ? "" : "   (removed on exit; --data DIR keeps it)"}`,
    "  flows",
  ];
  const width = Math.max(...o.flows.map((f) => f.id.length));
  for (const record of o.flows) {
    const f = flowSummary(o.engine, record);
    let how: string;
    if (f.trigger.type === "polling")
      how = `polls ${f.trigger.op} every ${formatDuration(f.trigger.everyMs)}`;
    else if (f.trigger.type === "instant") how = `instant: ${f.trigger.op}`;
    else {
      const secret = await o.engine.store.getFlowHookSecret(f.id);
      how = `webhook: POST ${o.serverUrl}/hooks/${f.id}?secret=${secret}`;
    }
    lines.push(`    ${f.id.padEnd(width)}  ${how}`);
  }
  const data = quoteArg(o.dataDir);
  lines.push(
    "",
    "Look at its runs from another terminal while it runs:",
    `  npx hlconnect runs list --data ${data}`,
    `  npx hlconnect runs show RUN_ID --data ${data}`,
    `  HLCONNECT_API_TOKEN=${o.apiToken} npx hlconnect runs replay RUN_ID --data ${data}`,
    ...(o.keepsData
      ? []
      : ["To keep this folder after Ctrl-C, start the demo with a folder: npm start -- --data ./demo-data"]),
    "",
    "Runs appear below as they finish (time, flow, status, duration, run id). Stop with Ctrl-C.",
    "",
  );
  return lines.join("\n");
}

export function demoContactText(info: SandboxInfo, contactId: string, pollingFlows: string[]): string {
  return [
    "",
    `Created the contact "Dana Demo" (${contactId}) in the sandbox: welcome-call-task adds its task now.`,
    ...(pollingFlows.length ? [`${pollingFlows.join(", ")} will pick it up at its next poll.`] : []),
    "Create more contacts with:",
    `  ${curlCreateContact(info)}`,
    "",
  ].join("\n");
}

/** Where a kept demo's sandbox lives, and whether this run found it there. */
function sandboxWhere(info: SandboxInfo, dataDir: string): string {
  const file = path.join(dataDir, DEMO_SANDBOX_DB);
  return isReopenedSandbox(info)
    ? `reopened from ${file}: the contacts of the last run are still there`
    : `kept in ${file} for the next start`;
}

/** A path as a shell argument: quoted only when it needs to be. */
function quoteArg(p: string): string {
  return /^[\w./:@-]+$/.test(p) ? p : `'${p.replace(/'/g, "'\\''")}'`;
}
