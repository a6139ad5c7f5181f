// `runs show` for a person: the run's status and timing, its trigger, and each step with what went
// in, what came out and any error, values shortened to a line. `--json` prints the whole record.
import type { runView, stepView } from "../server/views.ts";
import { formatDuration } from "./format.ts";

const VALUE_WIDTH = 100;

/** A value on one line, cut at `width` characters. */
function short(value: unknown, width = VALUE_WIDTH): string {
  const text = value === undefined ? "-" : JSON.stringify(value);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

export function formatRun(
  run: ReturnType<typeof runView>,
  steps: Array<ReturnType<typeof stepView>>,
): string {
  const lines = [
    `run ${run.id}  flow ${run.flowId}  ${run.status}${run.dryRun ? " (dry run)" : ""}`,
    `  created   ${run.createdAt}${run.startedAt ? `   started ${run.startedAt}` : ""}${
      run.finishedAt ? `   finished ${run.finishedAt} (${formatDuration(run.durationMs)})` : ""
    }`,
    `  attempts  ${run.attempts}${run.replayOf ? `   replay of ${run.replayOf}` : ""}`,
    `  trigger   ${short(run.trigger)}`,
  ];
  if (run.error) {
    lines.push(`  error     ${run.error.stepId ? `step ${run.error.stepId}: ` : ""}${run.error.message}`);
  }
  lines.push("", steps.length ? "steps" : "no steps ran");
  for (const s of steps) {
    const took =
      s.startedAt && s.finishedAt
        ? `  ${formatDuration(Date.parse(s.finishedAt) - Date.parse(s.startedAt))}`
        : "";
    lines.push(`  ${s.stepId}  ${s.status}${took}${s.attempts > 1 ? `  ${s.attempts} attempts` : ""}`);
    lines.push(`    input   ${short(s.input)}`);
    if (s.output !== undefined) lines.push(`    output  ${short(s.output)}`);
    if (s.error) lines.push(`    error   ${(s.error as { message?: string }).message ?? short(s.error)}`);
  }
  lines.push("", "Full values: add --json.");
  return lines.join("\n");
}
