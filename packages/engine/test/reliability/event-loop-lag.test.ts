// The lag signal ingest and the workers act on: lasting lag counts, one stall does not.
import { afterEach, describe, expect, it } from "vitest";
import { EventLoopLag } from "../../src/load/event-loop.ts";

const block = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy: the event loop cannot run anything else
  }
};
const windows = (n: number, windowMs: number) =>
  new Promise((resolve) => setTimeout(resolve, n * windowMs + 20));

describe("EventLoopLag", () => {
  const lag = new EventLoopLag({ intervalMs: 50 });
  afterEach(() => lag.stop());

  it("is 0 before it starts and after it stops", async () => {
    expect(lag.lagMs).toBe(0);
    lag.start();
    for (let i = 0; i < 4; i++) {
      block(200);
      await new Promise((r) => setImmediate(r));
    }
    expect(lag.lagMs).toBeGreaterThan(0);
    lag.stop();
    expect(lag.lagMs).toBe(0);
  });

  it("reports lag that lasts across windows", async () => {
    lag.start();
    await windows(2, 50);
    // A loop kept busy: every turn takes 200 ms.
    for (let i = 0; i < 6; i++) {
      block(200);
      await new Promise((r) => setImmediate(r));
    }
    expect(lag.lagMs).toBeGreaterThanOrEqual(150);
  });

  it("forgets a single stall once the loop runs freely again", async () => {
    lag.start();
    await windows(2, 50);
    block(900);
    await windows(4, 50);
    // Only one tick came late (the smaller lateness of the last two ticks is what counts).
    expect(lag.lagMs).toBeLessThan(600);
  });
});
