// Toasts belong to the page they were raised on: leaving it dismisses them, and an action's toast that
// is carried (the action navigates) lands on the next page with its full time. Timers are a fake
// clock, so nothing here waits.
import { describe, expect, it } from "vitest";
import { TOAST_MS, ToastStore } from "../src/components/toast-store.ts";

function fakeClock() {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void }> = [];
  return {
    schedule: (fn: () => void, ms: number) => timers.push({ at: now + ms, fn }),
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}

const texts = (s: ToastStore) => s.items.map((t) => t.text);

describe("toasts", () => {
  it("are dismissed when their page is left, and not by staying on it", () => {
    const clock = fakeClock();
    const s = new ToastStore(clock.schedule);
    s.raise("Renamed", { page: "/connections" });
    s.raise("the connection test failed", { page: "/connections", bad: true });
    s.pageChanged("/connections");
    expect(texts(s)).toEqual(["Renamed", "the connection test failed"]);
    s.pageChanged("/flows");
    expect(texts(s)).toEqual([]);
  });

  it("keep a toast raised for the page being opened (raised after navigate, before the change is handled)", () => {
    const s = new ToastStore(fakeClock().schedule);
    s.raise("Replay started", { page: "/runs/run_2" });
    s.pageChanged("/runs/run_2");
    expect(texts(s)).toEqual(["Replay started"]);
  });

  it("carry an action's toast to the page it lands on, once, with its full time there", () => {
    const clock = fakeClock();
    const s = new ToastStore(clock.schedule);
    s.raise("Flow saved", { page: "/flows/new", carry: true });
    s.raise("a problem on the old page", { page: "/flows/new", bad: true });
    clock.advance(TOAST_MS.ok - 100);
    s.pageChanged("/flows/welcome");
    expect(texts(s)).toEqual(["Flow saved"]);
    expect(s.items[0]).toMatchObject({ page: "/flows/welcome", carry: false });
    // The old page's timer no longer removes it; its new one does.
    clock.advance(200);
    expect(texts(s)).toEqual(["Flow saved"]);
    clock.advance(TOAST_MS.ok);
    expect(texts(s)).toEqual([]);
    // Carried once only: the page after that dismisses it like any other.
    s.raise("Flow saved", { page: "/flows/new", carry: true });
    s.pageChanged("/flows/welcome");
    s.pageChanged("/runs");
    expect(texts(s)).toEqual([]);
  });

  it("expire by themselves, errors later than the rest, and tell listeners", () => {
    const clock = fakeClock();
    const s = new ToastStore(clock.schedule);
    let calls = 0;
    const stop = s.subscribe(() => calls++);
    s.raise("ok", { page: "/" });
    s.raise("bad", { page: "/", bad: true });
    clock.advance(TOAST_MS.ok);
    expect(texts(s)).toEqual(["bad"]);
    clock.advance(TOAST_MS.bad - TOAST_MS.ok);
    expect(texts(s)).toEqual([]);
    expect(calls).toBe(4);
    stop();
    s.raise("unheard", { page: "/" });
    expect(calls).toBe(4);
  });
});
