// How the builder names a trigger test's answer: real records by kind, name and creation time; the
// catalog's example always as example data, with the reason there is no real record.
import { describe, expect, it } from "vitest";
import { recordLabel, sampleFromAnswer } from "../src/builder/sample-labels.ts";

describe("trigger sample labels", () => {
  it("names real records, the newest as the latest, each with its creation time", () => {
    const s = sampleFromAnswer({
      source: "live",
      items: [{ id: "c2" }, { id: "c1" }],
      records: [
        { noun: "contact", name: "Ann Lee", createdAt: "2026-12-07T14:20:00Z" },
        { noun: "contact", name: "Bo Chen" },
      ],
    });
    expect(s).toMatchObject({ index: 0, example: false, items: [{ id: "c2" }, { id: "c1" }] });
    const labels = (s as { labels: string[] }).labels;
    expect(labels[0]).toMatch(/^latest contact from HighLevel: Ann Lee, created .*2026/);
    expect(labels[1]).toBe("#2 contact from HighLevel: Bo Chen");
    expect(recordLabel({ noun: "opportunity", name: "Deal" }, 0)).toBe(
      "latest opportunity from HighLevel: Deal",
    );
  });

  it("labels the catalog's example as example data, saying why", () => {
    const none = sampleFromAnswer({ source: "example", reason: "none-found", items: [{ id: "x" }] });
    expect(none).toMatchObject({ example: true, labels: ["example data (no recent record found)"] });
    const unreadable = sampleFromAnswer({ source: "example", reason: "not-readable", items: [{}] });
    expect(unreadable).toMatchObject({ example: true });
    expect((unreadable as { labels: string[] }).labels[0]).toMatch(/^example data \(.*no way to read/);
  });

  it("numbers a polling trigger's items, and says what went wrong instead of sampling nothing", () => {
    const polled = sampleFromAnswer({ source: "live", items: [{}, {}] });
    expect(polled).toMatchObject({ labels: ["Result #1 from HighLevel", "Result #2 from HighLevel"] });
    expect(sampleFromAnswer({ error: { message: "401 refused" } })).toMatch(/could not be read: 401 refused/);
    expect(sampleFromAnswer({ source: "live", items: [] })).toMatch(/^Nothing found/);
  });
});
