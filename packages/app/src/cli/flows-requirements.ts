// `hlconnect flows requirements`: what the flows need from a HighLevel account (scopes, token kind,
// webhook events to tick, hook URLs), flow by flow and in total: the checklist for going live.
import { formatFlowError } from "@hlconnect/engine/flows/index";
import { loadFlowsFromDir } from "@hlconnect/engine/flows/load";
import {
  type FlowRequirements,
  flowRequirements,
  totalRequirements,
} from "@hlconnect/engine/flows/requirements";
import type { Flow } from "@hlconnect/engine/flows/types";
import type { Command } from "commander";
import { DATA_HELP, withEngine } from "./data.ts";
import { CliError } from "./errors.ts";
import { write } from "./format.ts";

export function registerRequirementsCommand(flows: Command): void {
  flows
    .command("requirements")
    .description("The HighLevel scopes, token kind, webhook events and hook URLs the flows need")
    .option("--flows <dir>", "read the flow files of this folder (default: the flows of the data dir)")
    .option("--data <dir>", DATA_HELP)
    .option("--json", "print JSON")
    .action(async (opts: { flows?: string; data?: string; json?: boolean }) => {
      const found = opts.flows ? flowsFromDir(opts.flows) : await flowsFromData(opts.data);
      const perFlow = found.map(flowRequirements);
      const total = totalRequirements(perFlow);
      if (opts.json) return write(JSON.stringify({ flows: perFlow, total }, null, 2));
      if (perFlow.length === 0) return write("no flows: nothing is required");
      write(formatRequirements(perFlow, total));
    });
}

function flowsFromDir(dir: string): Flow[] {
  const results = loadFlowsFromDir(dir);
  const bad = results.filter((r) => !r.flow);
  if (bad.length) {
    throw new CliError(
      `${bad.length} flow file${bad.length === 1 ? "" : "s"} in ${dir} did not validate:\n` +
        bad.flatMap((r) => r.errors.map(formatFlowError)).join("\n"),
    );
  }
  return results.flatMap((r) => (r.flow ? [r.flow] : []));
}

async function flowsFromData(data: string | undefined): Promise<Flow[]> {
  return withEngine({ data, mustExist: true }, async (engine) => {
    const flows: Flow[] = [];
    for (const record of await engine.store.listFlows()) {
      try {
        flows.push(engine.env.parseFlow(record.source, record.filePath ?? `${record.id}.yaml`));
      } catch (err) {
        throw new CliError(`flow "${record.id}" no longer validates: ${(err as Error).message}`);
      }
    }
    return flows;
  });
}

export function formatRequirements(perFlow: FlowRequirements[], total = totalRequirements(perFlow)): string {
  const lines: string[] = [];
  for (const r of perFlow) {
    lines.push(`${r.flowId} (${r.name})`);
    lines.push(
      `  token:  ${r.token === "agency" ? "agency (company) token" : "location (sub-account) token"}`,
    );
    lines.push(`  scopes: ${r.scopes.length ? r.scopes.join(", ") : "none"}`);
    if (r.events.length) lines.push(`  webhook events to tick: ${r.events.join(", ")}`);
    if (r.hookPath) lines.push(`  posts go to: <public URL>${r.hookPath}`);
  }
  lines.push("");
  lines.push("In total:");
  lines.push(`  scopes: ${total.scopes.join(" ") || "none"}`);
  if (total.events.length)
    lines.push(`  webhook events (Marketplace app > Webhooks): ${total.events.join(", ")}`);
  if (total.agencyFlows.length)
    lines.push(`  flows needing an agency token: ${total.agencyFlows.join(", ")}`);
  if (total.hookPaths.length)
    lines.push(`  hook URLs: ${total.hookPaths.map((p) => `<public URL>${p}`).join(", ")}`);
  return lines.join("\n");
}
