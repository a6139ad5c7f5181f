// One process of the scheduler failover test: it competes for the scheduler's leadership and, while it
// leads, polls a stand-in trigger the way the PollScheduler does (under the flow's lock: read the
// cursor, "poll" the next window, then advance the cursor and record the window's event in one store
// transaction). Prints a JSON line when it becomes leader and one per window it polled.
import { setTimeout as sleep } from "node:timers/promises";
import { pgLeadership } from "../../src/cluster/leader.ts";
import { openPgStore } from "../../src/store/postgres/store.ts";
import { readyThenGo } from "./children.ts";

const [url, schema, flowId, checkMs] = process.argv.slice(2) as [string, string, string, string];
const store = await openPgStore({ url, schema, poolSize: 3 });
const leadership = pgLeadership({ url, schema, checkMs: Number(checkMs) });
const say = (o: object) =>
  process.stdout.write(`${JSON.stringify({ pid: process.pid, at: Date.now(), ...o })}\n`);
await readyThenGo();

let leading = false;
leadership.start({
  gained: () => {
    leading = true;
    say({ leader: true });
  },
  lost: () => {
    leading = false;
  },
});

for (;;) {
  if (leading) {
    await store.withLock(`poll:${flowId}`, async () => {
      const window = ((await store.getTriggerState(flowId))?.cursor as number | undefined) ?? 0;
      await sleep(20); // the HighLevel request of a real poll
      await store.recordTriggerEvents(flowId, window + 1, [
        { eventKey: `window-${window}`, payload: { window } },
      ]);
      say({ poll: window });
    });
  }
  await sleep(50);
}
