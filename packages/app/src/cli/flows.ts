// `hlconnect flows`: list the flows of a data dir, validate flow files, switch flows on and off, and
// run one once (a poll now for a polling flow; a run with a given trigger for the others).
import { readFileSync } from "node:fs";
import { formatFlowError, parseFlowFile } from "@hlconnect/engine/flows/index";
import type { Command } from "commander";
import { flowSummary } from "../server/views.ts";
import { CLUSTER_WAIT_MS, parseWaitOption, reportClusterRuns } from "./cluster-store.ts";
import { DATA_HELP, openEngine, withEngine } from "./data.ts";
import { CliError, parseJsonOption } from "./errors.ts";
import { dryRunOnce } from "./flows-dry-run.ts";
import { registerRequirementsCommand } from "./flows-requirements.ts";
import { count, formatDuration, runLine, table, write } from "./format.ts";
import { runHere } from "./run-here.ts";
import { runPolledHere } from "./run-polled.ts";
import { addScaleOptions, type ScaleOptions } from "./scale.ts";

export function registerFlowsCommands(program: Command): void {
  const flows = program.command("flows").description("Flows: list, validate, enable, disable, run once");

  addScaleOptions(
    flows
      .command("list")
      .description("List the flows of a data dir (or of the cluster's PostgreSQL store)")
      .option("--data <dir>", DATA_HELP)
      .option("--json", "print JSON"),
  ).action(async (opts: ScaleOptions & { data?: string; json?: boolean }) => {
    await withEngine({ data: opts.data, mustExist: true, scale: opts }, async (engine) => {
      const all = (await engine.store.listFlows()).map((f) => flowSummary(engine, f));
      if (opts.json) return write(JSON.stringify(all, null, 2));
      if (all.length === 0) return write("no flows yet: add flow files with `hlconnect serve --flows DIR`");
      const rows = all.map((f) => [
        f.id,
        f.trigger.type === "polling"
          ? `polling ${f.trigger.op} every ${formatDuration(f.trigger.everyMs)}`
          : f.trigger.type === "instant"
            ? `instant ${f.trigger.op}`
            : f.trigger.type === "webhook"
              ? `webhook POST /hooks/${f.id}`
              : `invalid: ${f.problem}`,
        f.enabled ? (f.dryRun ? "dry run" : "enabled") : "disabled",
        // A disabled flow is not "active", whatever state it had when it last ran.
        f.enabled ? f.status + (f.statusReason ? ` (${f.statusReason})` : "") : "not running",
        f.name,
      ]);
      write(table(["ID", "TRIGGER", "ENABLED", "STATUS", "NAME"], rows));
    });
  });

  flows
    .command("validate")
    .description("Check flow files; print file:line:column for each error")
    .argument("<files...>", "flow files (YAML)")
    .action((files: string[]) => {
      let bad = 0;
      for (const file of files) {
        let source: string;
        try {
          source = readFileSync(file, "utf8");
        } catch (err) {
          write(`${file}: cannot read the file: ${(err as Error).message}`);
          bad++;
          continue;
        }
        const result = parseFlowFile(source, file);
        if (result.flow) {
          const n = result.flow.steps.length;
          write(`${file}: ok (flow "${result.flow.id}", ${n} step${n === 1 ? "" : "s"})`);
        } else {
          bad++;
          for (const e of result.errors) write(formatFlowError(e));
        }
      }
      if (bad)
        throw new CliError(`${bad} of ${files.length} file${files.length === 1 ? "" : "s"} did not validate`);
    });

  addScaleOptions(
    flows
      .command("enable")
      .description(
        "Turn a flow on (with --dry-run: its runs read but write nothing, and record what they would write)",
      )
      .argument("<id>", "flow id")
      .option("--data <dir>", DATA_HELP)
      .option("--dry-run", "enable in dry-run mode; `flows enable ID` again turns writing on"),
  ).action(async (id: string, opts: ScaleOptions & { data?: string; dryRun?: boolean }) => {
    await withEngine({ data: opts.data, mustExist: true, scale: opts }, async (engine) => {
      if (!(await engine.store.getFlow(id))) throw noFlow(id);
      await engine.setFlowEnabled(id, true, { dryRun: Boolean(opts.dryRun) }).catch((err: Error) => {
        throw new CliError(err.message);
      });
      write(
        opts.dryRun
          ? `flow "${id}" enabled in dry-run mode: its runs make their reads and record the writes they would send`
          : `flow "${id}" enabled`,
      );
    });
  });

  addScaleOptions(
    flows
      .command("disable")
      .description("Turn a flow off (its trigger is ignored)")
      .argument("<id>", "flow id")
      .option("--data <dir>", DATA_HELP),
  ).action(async (id: string, opts: ScaleOptions & { data?: string }) => {
    await withEngine({ data: opts.data, mustExist: true, scale: opts }, async (engine) => {
      if (!(await engine.store.getFlow(id))) throw noFlow(id);
      await engine.setFlowEnabled(id, false).catch((err: Error) => {
        throw new CliError(err.message);
      });
      write(`flow "${id}" disabled`);
    });
  });

  addScaleOptions(
    flows
      .command("run-once")
      .description(
        "Run a flow once, here: a polling flow polls now and runs what is new; any other flow runs with --trigger",
      )
      .argument("<id>", "flow id")
      .option("--data <dir>", DATA_HELP)
      .option("--trigger <json>", "the trigger payload (instant and webhook flows)", "{}")
      .option("--queue", "leave the runs to a running `hlconnect serve` instead of running them here")
      .option(
        "--wait <seconds>",
        "on a cluster: how long to wait for the workers' outcome",
        String(CLUSTER_WAIT_MS / 1000),
      )
      .addHelpText(
        "after",
        "\nEvery flow runs in this process and each run is printed as it finishes, whether or not\n" +
          "`hlconnect serve` runs (its data dir is shared safely); --queue hands the runs to the server instead.\n" +
          "On a cluster (HLCONNECT_DATABASE_URL and HLCONNECT_REDIS_URL set) the runs always go to the\n" +
          "cluster's queue; this waits for the workers' outcome (--wait) unless --queue is given.",
      )
      .option("--dry-run", "make the reads, send no write, and print each write it would send"),
  ).action(
    async (
      id: string,
      opts: ScaleOptions & {
        data?: string;
        trigger: string;
        queue?: boolean;
        wait: string;
        dryRun?: boolean;
      },
    ) => {
      const trigger = parseJsonOption("--trigger", opts.trigger);
      const waitMs = parseWaitOption(opts.wait);
      const { engine, clustered } = await openEngine({
        data: opts.data,
        mustExist: true,
        secretNeededFor: "it decrypts the connection's token the flow uses",
        scale: opts,
      });
      // Where the runs go: this process, or the queue (a server on the data dir, or the cluster's workers).
      const queuedFor = clustered ? "the cluster's workers" : "`hlconnect serve`";
      try {
        if (!(await engine.store.getFlow(id))) throw noFlow(id);
        const { flow } = await engine.flow(id).catch((err: Error) => {
          throw new CliError(`flow "${id}" no longer validates: ${err.message}`);
        });
        if (opts.dryRun) {
          if (opts.queue) throw new CliError("--dry-run runs here: it does not combine with --queue", 2);
          // A dry run sends no write: it runs here even on a cluster, as the preview it is.
          return await dryRunOnce(engine, id, opts.trigger === "{}" ? undefined : trigger);
        }
        if (flow.trigger.type === "polling") {
          if (opts.trigger !== "{}")
            throw new CliError(`flow "${id}" polls its trigger: --trigger does not apply`, 2);
          const report = await engine.pollNow(id);
          if (report.firstPoll) {
            write(
              `first poll of "${id}": cursor recorded; items newer than now start runs from the next poll`,
            );
            return;
          }
          const items = `${count(report.runs.length, "new item")} (${count(report.requests, "request")})`;
          if (!report.runs.length || opts.queue) {
            write(
              `polled "${id}": ${items}; ` +
                `${report.runs.length ? `their runs are queued for ${queuedFor}` : "nothing to run"}`,
            );
            return;
          }
          if (clustered) {
            write(`polled "${id}": ${items}; queued for the cluster's workers`);
            return await reportClusterRuns(engine, report.runs, waitMs);
          }
          write(`polled "${id}": ${items}; running them here`);
          for (const { run, retryAt } of await runPolledHere(engine, report.runs)) {
            write(runLine(run));
            if (retryAt)
              write(`a step will be retried at ${new Date(retryAt).toISOString()} by \`hlconnect serve\``);
            else if (run.status !== "succeeded" && run.status !== "skipped") process.exitCode = 1;
          }
          return;
        }
        if (opts.queue || clustered) {
          const run = await engine.startRun(id, trigger);
          if (clustered && !opts.queue) return await reportClusterRuns(engine, [run], waitMs);
          write(
            clustered
              ? `queued run ${run.id} of "${id}": the cluster's workers execute it`
              : `queued run ${run.id} of "${id}": a running \`hlconnect serve\` on this data dir executes it`,
          );
          return;
        }
        const { run, retryAt } = await runHere(engine, id, trigger);
        write(runLine(run));
        if (retryAt)
          write(`a step will be retried at ${new Date(retryAt).toISOString()} by \`hlconnect serve\``);
        else if (run.status !== "succeeded" && run.status !== "skipped") process.exitCode = 1;
      } finally {
        await engine.stop();
      }
    },
  );

  registerRequirementsCommand(flows);
}

function noFlow(id: string): CliError {
  return new CliError(`no flow "${id}" (see \`hlconnect flows list\`)`);
}
