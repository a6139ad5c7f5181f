// A run parses its flow's stored text; the same text is parsed once and an edited text anew.
import { describe, expect, it } from "vitest";
import type { ConnectionClients } from "../src/connections/clients.ts";
import { silentLogger } from "../src/logger.ts";
import { createRunEnvironment } from "../src/runner/environment.ts";
import type { Store } from "../src/store/types.ts";

const FLOW = (title: string) => `id: cached
name: Cached
trigger:
  webhook: {}
steps:
  - id: note
    op: highlevel.contacts.notes.create
    input:
      contactId: "{{ trigger.id }}"
      body: ${title}
`;

describe("the run environment's flow parsing", () => {
  it("parses a flow's text once, and an edited text again; a broken text throws every time", () => {
    const env = createRunEnvironment({
      store: {} as Store,
      clients: {} as ConnectionClients,
      logger: silentLogger,
    });
    const first = env.parseFlow(FLOW("one"), "cached.yaml");
    expect(env.parseFlow(FLOW("one"), "cached.yaml")).toBe(first);
    const edited = env.parseFlow(FLOW("two"), "cached.yaml");
    expect(edited).not.toBe(first);
    expect(edited.steps[0]?.input).toMatchObject({ body: "two" });
    expect(() => env.parseFlow("id: [", "broken.yaml")).toThrow(/broken\.yaml/);
    expect(() => env.parseFlow("id: [", "broken.yaml")).toThrow(/broken\.yaml/);
  });
});
