// `hlconnect runs`: the run history of a data dir, one run with its steps, and replays.
import type { Command } from "commander";
import { parseRunQuery } from "../server/routes/runs.ts";
import { runDurationMs, runView, stepView } from "../server/views.ts";
import { CLUSTER_WAIT_MS, parseWaitOption, reportClusterRuns } from "./cluster-store.ts";
import { DATA_HELP, openEngine, resolveDataDir, withEngine } from "./data.ts";
import { CliError } from "./errors.ts";
import { clock, formatDuration, runLine, table, write } from "./format.ts";
import { replayHere } from "./run-here.ts";
import { formatRun } from "./runs-show.ts";
import { addScaleOptions, readScaleOut, type ScaleOptions } from "./scale.ts";
import { findServerUrl } from "./server-file.ts";

export function registerRunsCommands(program: Command): void {
  const runs = program.command("runs").description("Runs: list, show, replay");

  addScaleOptions(
    runs
      .command("list")
      .description("Recent runs, newest first")
      .option("--data <dir>", DATA_HELP)
      .option("--flow <id>", "only this flow's runs")
      .option("--status <status>", "only runs in this status (comma-separated list allowed)")
      .option("--limit <n>", "how many (1 to 500)", "50")
      .option("--json", "print JSON"),
  ).action(
    async (
      opts: ScaleOptions & { data?: string; flow?: string; status?: string; limit: string; json?: boolean },
    ) => {
      const query = asCliError(() =>
        parseRunQuery({ flowId: opts.flow, status: opts.status, limit: opts.limit }),
      );
      await withEngine({ data: opts.data, mustExist: true, scale: opts }, async (engine) => {
        const page = await engine.store.listRuns(query);
        if (opts.json) return write(JSON.stringify(page.runs.map(runView), null, 2));
        if (page.runs.length === 0) return write("no runs");
        write(
          table(
            ["CREATED", "RUN", "FLOW", "STATUS", "DURATION", "ERROR"],
            page.runs.map((r) => [
              `${new Date(r.createdAt).toISOString().slice(0, 10)} ${clock(r.createdAt)}`,
              r.id,
              r.flowId,
              r.status,
              formatDuration(runDurationMs(r)),
              r.error ? `${r.error.stepId ? `${r.error.stepId}: ` : ""}${r.error.message}` : "",
            ]),
          ),
        );
        if (page.nextCursor) write(`(more: raise --limit)`);
      });
    },
  );

  addScaleOptions(
    runs
      .command("show")
      .description("One run with its trigger and every step's input, output and error")
      .argument("<id>", "run id")
      .option("--data <dir>", DATA_HELP)
      .option("--json", "print the run and its steps as JSON, values in full"),
  ).action(async (id: string, opts: ScaleOptions & { data?: string; json?: boolean }) => {
    await withEngine({ data: opts.data, mustExist: true, scale: opts }, async (engine) => {
      const run = await engine.store.getRun(id);
      if (!run) throw new CliError(`no run "${id}" (see \`hlconnect runs list\`)`);
      const steps = (await engine.store.listSteps(id)).map(stepView);
      if (opts.json) write(JSON.stringify({ run: runView(run), steps }, null, 2));
      else write(formatRun(runView(run), steps));
    });
  });

  addScaleOptions(
    runs
      .command("replay")
      .description("Run a run's flow again with the same trigger payload")
      .argument("<id>", "run id")
      .option("--data <dir>", DATA_HELP)
      .option("--queue", "leave the run to a running `hlconnect serve` instead of running it here")
      .option(
        "--from-start",
        "run every step again (default: a failed run resumes at the step it stopped at)",
      )
      .option(
        "--wait <seconds>",
        "on a cluster: how long to wait for the workers' outcome",
        String(CLUSTER_WAIT_MS / 1000),
      )
      .addHelpText(
        "after",
        "\nA failed run resumes where it stopped: the steps it finished are carried over, not repeated\n" +
          "(so nothing they created is created twice); --from-start runs them all again.\n" +
          "When `hlconnect serve` runs on the data dir, the replay goes through it (its API, with\n" +
          "HLCONNECT_API_TOKEN) and this waits for the run; otherwise it runs in this process.\n" +
          "On a cluster (HLCONNECT_DATABASE_URL and HLCONNECT_REDIS_URL set) the replay goes to the\n" +
          "cluster's queue and this waits for the workers' outcome (--wait) unless --queue is given.",
      ),
  ).action(async (id: string, opts: ScaleOptions & ReplayOptions) => {
    const waitMs = parseWaitOption(opts.wait);
    // A cluster's store and queue are reached directly; a server on an embedded data dir owns it.
    const serverUrl = readScaleOut(opts) ? undefined : findServerUrl(resolveDataDir(opts.data));
    if (serverUrl) {
      await replayThroughServer(serverUrl, id, Boolean(opts.queue), Boolean(opts.fromStart));
      return;
    }
    const { engine, clustered } = await openEngine({
      data: opts.data,
      mustExist: true,
      secretNeededFor: "it decrypts the connection's token the flow uses",
      scale: opts,
    });
    try {
      const old = await engine.store.getRun(id);
      if (!old) throw new CliError(`no run "${id}" (see \`hlconnect runs list\`)`);
      if (!(await engine.store.getFlow(old.flowId))) {
        throw new CliError(`run "${id}" belongs to flow "${old.flowId}", which no longer exists`);
      }
      if (opts.queue || clustered) {
        const run = await engine.replay(id, opts.fromStart ? { from: "start" } : {});
        if (clustered && !opts.queue) return await reportClusterRuns(engine, [run], waitMs);
        write(
          `queued run ${run.id} (replay of ${id}): ${clustered ? "the cluster's workers execute it" : "a running `hlconnect serve` executes it"}`,
        );
        return;
      }
      const { run, retryAt, replayFrom } = await replayHere(engine, id, opts.fromStart ? "start" : undefined);
      if (replayFrom) write(`resumed at step ${replayFrom} (the steps before it are carried over)`);
      write(runLine(run));
      if (retryAt)
        write(`a step will be retried at ${new Date(retryAt).toISOString()} by \`hlconnect serve\``);
      else if (run.status !== "succeeded" && run.status !== "skipped") process.exitCode = 1;
    } finally {
      await engine.stop();
    }
  });
}

function asCliError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new CliError((err as Error).message.replace(/^limit/, "--limit"), 2);
  }
}

const REPLAY_WAIT_MS = 60_000;

/**
 * A server runs on this data dir: it replays the run (its workers, its rate limits, its connections'
 * refreshed tokens), and this waits for the outcome, rather than a second engine working beside it.
 */
async function replayThroughServer(
  serverUrl: string,
  id: string,
  queueOnly: boolean,
  fromStart: boolean,
): Promise<void> {
  const token = process.env.HLCONNECT_API_TOKEN?.trim();
  if (!token) {
    throw new CliError(
      `\`hlconnect serve\` is running on this data dir (${serverUrl}), so the replay goes through it: ` +
        "set HLCONNECT_API_TOKEN to its API token (printed when it started)",
    );
  }
  const call = async (method: string, path: string, payload?: unknown) => {
    const res = await fetch(`${serverUrl}/api${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(payload ? { "content-type": "application/json" } : {}),
      },
      ...(payload ? { body: JSON.stringify(payload) } : {}),
    }).catch((err: Error) => {
      throw new CliError(`the server at ${serverUrl} did not answer: ${err.message}`);
    });
    const body = (await res.json().catch(() => ({}))) as { run?: RunView; error?: { message?: string } };
    if (res.status === 404) throw new CliError(`no run "${id}" (see \`hlconnect runs list\`)`);
    if (!res.ok || !body.run) {
      throw new CliError(
        `the server refused the replay (HTTP ${res.status}): ${body.error?.message ?? "no details"}`,
      );
    }
    return body.run;
  };
  const queued = await call(
    "POST",
    `/runs/${encodeURIComponent(id)}/replay`,
    fromStart ? { from: "start" } : undefined,
  );
  if (queueOnly) {
    write(`queued run ${queued.id} (replay of ${id}) on the server at ${serverUrl}`);
    return;
  }
  const until = Date.now() + REPLAY_WAIT_MS;
  let run = queued;
  while ((run.status === "queued" || run.status === "running") && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    run = await call("GET", `/runs/${encodeURIComponent(queued.id)}`);
  }
  write(
    `${run.status}  ${run.id}  (replay of ${id}, run by the server at ${serverUrl})` +
      `${run.error ? `  — ${run.error.stepId ? `step ${run.error.stepId}: ` : ""}${run.error.message}` : ""}`,
  );
  if (run.status !== "succeeded" && run.status !== "skipped") process.exitCode = 1;
}

type RunView = ReturnType<typeof runView>;

interface ReplayOptions {
  data?: string;
  queue?: boolean;
  fromStart?: boolean;
  wait: string;
}
