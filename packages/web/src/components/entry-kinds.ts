// What a catalog entry is to a person building a flow, in their words: a trigger (something that
// happens), a search (reads, changes nothing) or an action (changes something), and what hlconnect
// does when HighLevel gives no answer to it. "safe"/"reconcilable" are the engine's words for the
// latter; a Zapier user reads "safe" as "harmless", which a delete is not.
import type { CatalogSummary } from "../api/types.ts";

export type StepRole = "trigger" | "search" | "action";

/** Polling triggers that report events ("New Contact", "Opportunity Stage Changed"), not readers. */
const EVENT_KEY = /\.(new|updated|[a-z-]*changed)$/;

export function roleOf(e: CatalogSummary): StepRole {
  if (e.kind === "action") return "action";
  if (e.mode === "instant" || EVENT_KEY.test(e.key)) return "trigger";
  return "search";
}

/** What "Add a step" offers: actions and searches (a reader runs once as a step), never an event. */
export function canBeStep(e: CatalogSummary): boolean {
  return roleOf(e) !== "trigger";
}

/** What the trigger picker offers: triggers only, events before the readers that can also poll. */
export function triggerChoices(entries: CatalogSummary[]): CatalogSummary[] {
  const triggers = entries.filter((e) => e.kind === "trigger");
  return [
    ...triggers.filter((e) => roleOf(e) === "trigger"),
    ...triggers.filter((e) => roleOf(e) !== "trigger"),
  ];
}

export function stepChoices(entries: CatalogSummary[]): CatalogSummary[] {
  return entries.filter(canBeStep);
}

export interface Tag {
  /** Short words shown on the entry. */
  text: string;
  /** The longer explanation (tooltip and screen readers). */
  tip: string;
  tone?: "warn" | "bad" | "info";
}

const DESTRUCTIVE = /^(delete|remove|cancel|unassign)\b/i;

/**
 * The tags an entry shows in pickers and the catalog: what kind of thing it is, whether it removes
 * data, and what happens when HighLevel does not answer.
 */
export function entryTags(e: CatalogSummary, as?: "trigger"): Tag[] {
  const role = roleOf(e);
  if (e.kind === "trigger") {
    if (e.mode === "instant")
      return [{ text: "Instant", tip: "Starts a run the moment HighLevel sends the event.", tone: "info" }];
    // A search chosen as the trigger polls too: it starts a run for each new or changed item it finds.
    if (role === "trigger" || as === "trigger")
      return [
        { text: "Checks every few minutes", tip: "hlconnect asks HighLevel for new items on a schedule." },
      ];
    return [{ text: "Search · reads only", tip: "Finds or reads records; changes nothing in HighLevel." }];
  }
  const tags: Tag[] = [];
  if (DESTRUCTIVE.test(e.name))
    tags.push({
      text: "Deletes data",
      tip: "Removes something in HighLevel; it cannot be undone.",
      tone: "bad",
    });
  tags.push(noAnswerTag(e.mode));
  return tags;
}

/** What hlconnect does when a call to this action gets no answer (a timeout, a dropped connection). */
export function noAnswerTag(mode: string): Tag {
  switch (mode) {
    case "safe":
      return {
        text: "Sent again if no answer",
        tip: "If HighLevel does not answer, hlconnect may send it again: doing it twice ends the same as doing it once. This is about retries, not about what it changes.",
      };
    case "reconcilable":
      return {
        text: "Checked before a retry",
        tip: "If HighLevel does not answer, hlconnect first looks whether it happened (for example, whether the record now exists) and sends it again only if it did not.",
      };
    default:
      return {
        text: "Never sent twice",
        tip: "If HighLevel does not answer, hlconnect does not send it again (it could happen twice): the run stops so you can check HighLevel and decide.",
        tone: "warn",
      };
  }
}
