// The import page's progress and figures: the percent shown is the phase's done/total (17 of 300 is
// 5 %, not the server's 52 % that counts the finished reading in), and a dry run's figures say "would".
import { describe, expect, it } from "vitest";
import type { ImportView } from "../src/api/types.ts";
import { FIGURES, shownProgress } from "../src/pages/import-progress.ts";

const view = (extra: Partial<ImportView>): ImportView => ({
  id: "imp_1",
  file: "export.csv",
  dryRun: false,
  status: "running",
  ...extra,
});

describe("import progress as the page shows it", () => {
  it("matches done/total while sending, whatever the server's overall percent", () => {
    const p = shownProgress(view({ progress: { phase: "syncing", done: 17, total: 300, percent: 52 } }));
    expect(p.percent).toBe(5);
    expect(p.detail).toBe("sending to HighLevel: 17 of 300 leads");
    expect(p.percent).toBe(Math.floor((17 / 300) * 100));
  });

  it("shows 100 % only when everything is done, and says what a dry run is doing", () => {
    expect(
      shownProgress(view({ progress: { phase: "syncing", done: 299, total: 300, percent: 99 } })).percent,
    ).toBe(99);
    expect(shownProgress(view({ status: "succeeded" })).percent).toBe(100);
    const dry = shownProgress(
      view({ dryRun: true, progress: { phase: "syncing", done: 1, total: 1, percent: 100 } }),
    );
    expect(dry.detail).toBe("checking: 1 of 1 lead");
  });

  it("reads the file as its own phase, and survives an empty or missing progress", () => {
    expect(
      shownProgress(view({ progress: { phase: "reading", done: 50, total: 200, percent: 12 } })),
    ).toEqual({
      percent: 25,
      detail: "reading the file",
    });
    expect(
      shownProgress(view({ progress: { phase: "syncing", done: 0, total: 0, percent: 50 } })).percent,
    ).toBe(0);
    expect(shownProgress(view({}))).toEqual({ percent: 0, detail: "" });
  });

  it("words every figure for a dry run as what the import would do", () => {
    for (const [key, done, would] of FIGURES) {
      if (/created|updated|added|skipped|failed|joined|unchanged/.test(done))
        expect(would, key).toMatch(/would/);
      else expect(would, key).toBe(done);
    }
    expect(FIGURES.find(([k]) => k === "contacts.created")?.[2]).toBe("Contacts it would create");
  });
});
