// Where the state lives (the user's data dir, never the working folder) and the progress lines a
// non-interactive import prints.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { progressLines } from "../src/sync/progress-lines.ts";
import { defaultStateFile, stateScope, userDataDir } from "../src/sync/state-location.ts";

describe("the state's place and name", () => {
  it("is in the user's data dir, whatever the working folder", () => {
    expect(userDataDir({ XDG_DATA_HOME: "/data/x" }, "linux")).toBe(path.join("/data/x", "hlconnect"));
    expect(userDataDir({ HLCONNECT_HOME: "/opt/hl" }, "linux")).toBe(path.resolve("/opt/hl"));
    expect(userDataDir({}, "darwin")).toMatch(/Library[\\/]Application Support[\\/]hlconnect$/);
    expect(userDataDir({ LOCALAPPDATA: "C:\\Users\\a\\AppData\\Local" }, "win32")).toMatch(/hlconnect$/);
    const before = process.cwd();
    const a = defaultStateFile({ XDG_DATA_HOME: "/data/x" });
    process.chdir(path.dirname(before));
    try {
      expect(defaultStateFile({ XDG_DATA_HOME: "/data/x" })).toBe(a);
    } finally {
      process.chdir(before);
    }
  });

  it("names each account by API base URL and location", () => {
    expect(stateScope("https://services.leadconnectorhq.com/", "loc1")).toBe(
      "https://services.leadconnectorhq.com#loc1",
    );
    expect(stateScope("http://127.0.0.1:4100", "loc1")).not.toBe(stateScope("https://x.example", "loc1"));
  });
});

describe("progress lines", () => {
  it("one line every few seconds, none in between", () => {
    let t = 0;
    const lines: string[] = [];
    const report = progressLines(
      (l) => lines.push(l),
      5000,
      () => t,
    );
    for (let done = 0; done <= 300; done += 10) {
      t += 1000;
      report({ phase: "syncing", done, total: 300 });
    }
    expect(lines).toHaveLength(6); // 31 s of work: at 5, 10, 15, 20, 25 and 30 s
    expect(lines[0]).toBe("import batchleads: syncing: 40 of 300 leads (13%), 5 s");
    t += 6000;
    report({ phase: "reading", done: 2_500_000, total: 10_000_000 });
    expect(lines.at(-1)).toBe("import batchleads: reading the file: 25% (2.5 MB of 10.0 MB), 37 s");
  });
});
