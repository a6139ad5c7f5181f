// `hlconnect flows run-once ID --dry-run`: run a flow once against its connection with reads made and
// writes held back, then print each write it would have sent (operation, method, path, body after
// mapping). A polling flow runs with the newest item its trigger reads now (its cursor is untouched);
// an instant flow without --trigger runs with the catalog's sample event.
import type { Engine } from "@hlconnect/engine/engine";
import { isDryRunOutput } from "@hlconnect/engine/runner/dry-run";
import { triggerSample } from "@hlconnect/engine/runner/trigger-sample";
import { CliError } from "./errors.ts";
import { runLine, write } from "./format.ts";
import { runHere } from "./run-here.ts";

export async function dryRunOnce(engine: Engine, id: string, given: unknown | undefined): Promise<void> {
  const { flow } = await engine.flow(id);
  let trigger = given;
  if (trigger === undefined) {
    const sample = await triggerSample(engine.env, flow, 1);
    if (!sample.items.length) {
      throw new CliError(
        `flow "${id}" has no event to run with: its trigger read nothing${flow.trigger.type === "webhook" ? "" : " now"}; ` +
          "give one with --trigger JSON",
        2,
      );
    }
    trigger = sample.items[0];
    write(
      sample.source === "live"
        ? `dry run of "${id}" with the newest item its trigger reads now`
        : `dry run of "${id}" with the catalog's sample event (give a real one with --trigger JSON)`,
    );
  }
  const { run } = await runHere(engine, id, trigger, undefined, { dryRun: true });
  write(runLine(run));
  let count = 0;
  for (const step of await engine.store.listSteps(run.id)) {
    if (!isDryRunOutput(step.output)) continue;
    for (const w of step.output.writes) {
      count++;
      write(`  step ${step.stepId} would send ${w.method} ${w.path}  (${w.operation})`);
      if (w.body !== undefined) write(`    ${JSON.stringify(w.body)}`);
    }
  }
  write(
    count
      ? `${count} write${count === 1 ? "" : "s"} held back; nothing was changed`
      : "no write would be sent",
  );
  if (run.status !== "succeeded" && run.status !== "skipped") process.exitCode = 1;
}
