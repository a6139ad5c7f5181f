// Durations read the way hlconnect prints them and the way people mistype them: a polling flow's
// `every: 5 min` (as `flows list` shows it) is accepted, and a typo in a mapping's duration is named.
import { describe, expect, it } from "vitest";
import { parseFlowFile } from "../src/flows/index.ts";
import { parseDuration } from "../src/mapping/transforms/durations.ts";

const polling = (every: string) => `id: f
name: F
trigger:
  op: highlevel.contacts.new
  every: ${every}
steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input: { contactId: "{{ trigger.id }}", tags: [a] }
`;

describe("durations", () => {
  it.each(["5m", "5 min", "5 mins", "5 minutes", "15 min", "90s", "90 seconds"])(
    "a polling trigger takes every: %s",
    (every) => {
      const { flow, errors } = parseFlowFile(polling(every), "flow.yaml");
      expect(errors).toEqual([]);
      expect(flow).toBeDefined();
    },
  );

  it("a unit it does not know is still refused, naming the forms it takes", () => {
    const { errors } = parseFlowFile(polling("5 mn"), "flow.yaml");
    expect(errors[0]?.message).toMatch(/"5m", "5 min" or "90s"/);
  });

  it("a typo after `business` is named, not `business`", () => {
    const r = parseDuration("1 business dya");
    expect(r).toEqual({
      error: 'unknown unit "business dya" in "1 business dya": did you mean "business days"?',
    });
    expect(parseDuration("2 hurs")).toEqual({
      error: 'unknown unit "hurs" in "2 hurs": did you mean "hours"?',
    });
    expect(parseDuration("1 business day")).toEqual({ parts: [{ amount: 1, unit: "business" }] });
  });
});
