// Validation problems as the builder shows them: in plain words at the field they are about
// ("Contact is required", not `flow.yaml:8:5: missing input "contactId" … Add contactId: under
// input`), and a "required" problem only once the person has had a chance: after leaving the field,
// testing the step or saving. The YAML tab keeps the file's own positions and words.
import type { FlowDocument, FlowProblem } from "../api/types.ts";

export interface PlainProblem extends FlowProblem {
  /** Something not filled in yet (shown once revealed), as opposed to a wrong value (shown at once). */
  required: boolean;
}

const MISSING = /^missing input "([^"]+)"(?: \(([^)]+)\))? of \S+$/;
const NOT_AN_INPUT = /^"([^"]+)" is not an input of \S+$/;

/** Suggestions that speak YAML ("Add title: under input…") help no one filling in a form. */
function formSuggestion(s: string | undefined): string | undefined {
  if (!s || /under input|\{\{ template \}\}|YAML|`/.test(s)) return undefined;
  return s;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "Tags are", "Contact is", "Status is", "Address is": labels that read as plurals take "are". */
function verb(label: string): string {
  return /s$/i.test(label) && !/(ss|us|is)$/i.test(label) ? "are" : "is";
}

/** One problem in the form's words, at the path of the field it is about. */
export function plainProblem(p: FlowProblem, doc: FlowDocument): PlainProblem {
  const path = p.path ?? "";
  const missing = MISSING.exec(p.message);
  if (missing) {
    // Reported at `input:` (or at `op:` when there is no input at all): it belongs to the field.
    const owner = path.replace(/\.(input|op)$/, "");
    const label = missing[2] ?? missing[1]!;
    return {
      path: `${owner}.input.${missing[1]}`,
      message: `${label} ${verb(label)} required`,
      required: true,
    };
  }
  if (path === "name" && !doc.name) return { path, message: "Name is required", required: true };
  if (path === "id" && !doc.id) return { path, message: "Id is required", required: true };
  if (path === "steps" && /at least one step/.test(p.message))
    return { path, message: "Add at least one step", required: true };
  const notInput = NOT_AN_INPUT.exec(p.message);
  const field = /\.input\.([^.[]+)$/.exec(path)?.[1];
  let message = p.message;
  if (notInput) message = `“${notInput[1]}” is not a field of this step`;
  else if (field && message.startsWith(`${field}: `)) message = capital(message.slice(field.length + 2));
  else message = capital(message.replace(/^(template|condition) error: /, ""));
  const suggestion = formSuggestion(p.suggestion);
  return { path, message: suggestion ? `${message}. ${suggestion}` : message, required: false };
}

/** Which card a problem's path belongs to, by step id (stable when steps move): "step:task". */
export function cardKey(path: string, doc: FlowDocument): string {
  const step = /^steps\[(\d+)\]/.exec(path);
  if (step) return `step:${doc.steps[Number(step[1])]?.id ?? step[1]}`;
  if (path === "trigger" || path.startsWith("trigger.")) return "trigger";
  return "settings";
}

/** A field's key for "revealed": the card key and the rest of the path ("step:task.input.title"). */
export function fieldKey(path: string, doc: FlowDocument): string {
  const card = cardKey(path, doc);
  const rest = path.replace(/^steps\[\d+\]/, "").replace(/^trigger/, "");
  return card === "settings" ? `settings.${path}` : `${card}${rest}`;
}

/**
 * The problems to show: every wrong value, and the required ones whose field was left, whose card
 * was tested, or all of them once a save was tried ("all" in `revealed`).
 */
export function visibleProblems(
  problems: FlowProblem[],
  doc: FlowDocument,
  revealed: ReadonlySet<string>,
): PlainProblem[] {
  return problems
    .map((p) => plainProblem(p, doc))
    .filter(
      (p) =>
        !p.required ||
        revealed.has("all") ||
        revealed.has(cardKey(p.path ?? "", doc)) ||
        revealed.has(fieldKey(p.path ?? "", doc)),
    );
}

/** Where a problem is, for the list above the form: "Step 1 (task)", "Trigger", "Flow settings". */
export function placeOf(path: string, doc: FlowDocument): string {
  const step = /^steps\[(\d+)\]/.exec(path);
  if (step) {
    const i = Number(step[1]);
    const id = doc.steps[i]?.id;
    return `Step ${i + 1}${id ? ` (${id})` : ""}`;
  }
  if (path === "trigger" || path.startsWith("trigger.")) return "Trigger";
  return "Flow settings";
}
