// What a replay will do, said before it happens: which steps run again and which are kept. A run that
// failed or stopped for a person resumes at the step it stopped at (the server carries the finished
// steps over); "from the start" runs every step again, which can repeat writes (a second task, a
// second SMS). Phrased from the run as the API gives it; a `replayFrom` the API names wins.
import type { RunView, StepView } from "../api/types.ts";

export interface ReplayPlan {
  /** The step a resume starts at; undefined when a replay can only start over. */
  resumeAt?: string;
  /** Steps that finished and are kept (not sent again) when resuming. */
  kept: string[];
  /** Steps that already ran and did something, which run again when starting over. */
  rerunOnRestart: string[];
}

const FINISHED = new Set(["succeeded", "skipped"]);
const RESUMABLE = new Set(["failed", "needs_attention"]);

export function replayPlan(run: RunView & { replayFrom?: string | null }, steps: StepView[]): ReplayPlan {
  const ran = steps.filter((s) => s.status === "succeeded").map((s) => s.stepId);
  if (!RESUMABLE.has(run.status)) return { kept: [], rerunOnRestart: ran };
  // The API's own word, when it gives one.
  const named = typeof run.replayFrom === "string" ? run.replayFrom : undefined;
  const stopIndex = named
    ? steps.findIndex((s) => s.stepId === named)
    : steps.findIndex((s) => !FINISHED.has(s.status));
  if (stopIndex < 0 && !named) return { kept: [], rerunOnRestart: ran };
  const kept = (stopIndex < 0 ? steps : steps.slice(0, stopIndex)).map((s) => s.stepId);
  const resumeAt = named ?? steps[stopIndex]?.stepId;
  return { ...(resumeAt ? { resumeAt } : {}), kept, rerunOnRestart: ran };
}

/** "task", "task and note", "task, note and sms" (step ids in quotes). */
export function listSteps(ids: string[]): string {
  const q = ids.map((id) => `“${id}”`);
  return q.length <= 1 ? (q[0] ?? "") : `${q.slice(0, -1).join(", ")} and ${q.at(-1)}`;
}

/** The toast after the replay started, from what the server answered. */
export function replayStarted(answer: { replayFrom?: string | null; carriedOver?: string[] }): string {
  const kept = answer.carriedOver ?? [];
  if (answer.replayFrom && kept.length)
    return `Replay started at “${answer.replayFrom}”; ${listSteps(kept)} ${kept.length === 1 ? "was" : "were"} kept, not sent again`;
  return "Replay started: every step runs again";
}
