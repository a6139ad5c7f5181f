// Counts in words: the one helper every page uses, so "1 entries" and "runs needs attention" cannot
// come back on one page while fixed on another.
import { describe, expect, it } from "vitest";
import { count, noun, plural } from "../src/components/count.ts";

describe("counts in words", () => {
  it("uses the singular for exactly one, the plural otherwise (zero included)", () => {
    expect(count(1, "entry")).toBe("1 entry");
    expect(count(197, "entry")).toBe("197 entries");
    expect(count(0, "problem")).toBe("0 problems");
    expect(count(1, "problem")).toBe("1 problem");
    expect(count(2, "run")).toBe("2 runs");
    expect(count(1200, "lead")).toBe("1,200 leads");
  });

  it("knows the plurals the pages need, and takes one it does not", () => {
    expect(plural("entry")).toBe("entries");
    expect(plural("day")).toBe("days");
    expect(plural("match")).toBe("matches");
    expect(plural("needs")).toBe("need");
    expect(count(3, "person", "people")).toBe("3 people");
  });

  it("agrees a verb with its count: 1 run needs attention, 2 runs need attention", () => {
    const label = (n: number) => `${noun(n, "run")} ${noun(n, "needs")} attention`;
    expect(label(1)).toBe("run needs attention");
    expect(label(2)).toBe("runs need attention");
    expect(label(0)).toBe("runs need attention");
  });
});
