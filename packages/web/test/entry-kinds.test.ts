// What "Add a step" and the trigger picker offer, and the words entries carry: no event trigger as a
// step, and no "safe" on a delete.
import { describe, expect, it } from "vitest";
import type { CatalogSummary } from "../src/api/types.ts";
import {
  entryTags,
  noAnswerTag,
  roleOf,
  stepChoices,
  triggerChoices,
} from "../src/components/entry-kinds.ts";

const e = (key: string, name: string, kind: "trigger" | "action", mode: string): CatalogSummary => ({
  key,
  name,
  kind,
  mode,
  category: "Contacts",
  description: "",
  operations: [],
  scopes: [],
});

const CATALOG = [
  e("highlevel.events.task-create", "Task Created (instant)", "trigger", "instant"),
  e("highlevel.contacts.new", "New Contact", "trigger", "polling"),
  e("highlevel.opportunities.stage-changed", "Opportunity Stage Changed", "trigger", "polling"),
  e("highlevel.contacts.updated", "Contact Updated", "trigger", "polling"),
  e("highlevel.contacts.get", "Get Contact", "trigger", "polling"),
  e("highlevel.contacts.search", "Search Contacts", "trigger", "polling"),
  e("highlevel.contacts.tasks.create", "Create Contact Task", "action", "reconcilable"),
  e("highlevel.contacts.notes.delete", "Delete Contact Note", "action", "safe"),
  e("highlevel.conversations.messages.send", "Send Message", "action", "unsafe"),
];

describe("what each picker offers", () => {
  it("'Add a step' offers actions and searches, never an instant or polling event", () => {
    const keys = stepChoices(CATALOG).map((x) => x.key);
    expect(keys).toEqual([
      "highlevel.contacts.get",
      "highlevel.contacts.search",
      "highlevel.contacts.tasks.create",
      "highlevel.contacts.notes.delete",
      "highlevel.conversations.messages.send",
    ]);
    expect(roleOf(CATALOG[0]!)).toBe("trigger");
    expect(roleOf(CATALOG[4]!)).toBe("search");
  });

  it("the trigger picker offers triggers only, events first", () => {
    const keys = triggerChoices(CATALOG).map((x) => x.key);
    expect(keys.slice(0, 4)).toEqual([
      "highlevel.events.task-create",
      "highlevel.contacts.new",
      "highlevel.opportunities.stage-changed",
      "highlevel.contacts.updated",
    ]);
    expect(keys).not.toContain("highlevel.contacts.tasks.create");
    expect(keys).toHaveLength(6);
  });
});

describe("the words on an entry", () => {
  it("never says 'safe' or 'reconcilable'; a delete says it deletes", () => {
    for (const entry of CATALOG)
      for (const t of entryTags(entry)) expect(`${t.text} ${t.tip}`).not.toMatch(/\bsafe\b|reconcil/i);
    const del = entryTags(CATALOG[7]!).map((t) => t.text);
    expect(del).toEqual(["Deletes data", "Sent again if no answer"]);
    expect(entryTags(CATALOG[7]!)[0]?.tone).toBe("bad");
  });

  it("says what happens when HighLevel does not answer, for each retry class", () => {
    expect(noAnswerTag("safe").tip).toMatch(/send it again/);
    expect(noAnswerTag("reconcilable").tip).toMatch(/first looks whether it happened/);
    expect(noAnswerTag("unsafe")).toMatchObject({ text: "Never sent twice", tone: "warn" });
    expect(entryTags(CATALOG[0]!)[0]?.text).toBe("Instant");
    expect(entryTags(CATALOG[4]!)[0]?.text).toMatch(/reads only/);
    // The same search offered as a trigger polls: it says so there.
    expect(entryTags(CATALOG[4]!, "trigger")[0]?.text).toBe("Checks every few minutes");
  });
});
