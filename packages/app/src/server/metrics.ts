// Prometheus metrics for GET /metrics. Each server gets its own registry (tests run several in one
// process). Run and poll counters follow the engine's events; webhook counters are bumped by the
// webhook routes; the queue gauge is read from the queue when scraped.
//
// prom-client is not loaded at start (it is a good part of `serve`'s start-up on a small machine):
// counts are kept here until the registry (metrics-registry.ts) loads, shortly after start or at the
// first scrape, whichever comes first, and are then handed over, so no count is lost.
import type { Engine } from "@hlconnect/engine/engine";
import type { CounterName, LiveRegistry } from "./metrics-registry.ts";

/** The registry loads this long after the metrics are made, unless /metrics is scraped before. */
const LOAD_AFTER_MS = 1000;

type LabelValues<L extends string> = Partial<Record<L, string | number>>;

/** A Prometheus counter: what the routes need of one. */
export interface Count<L extends string> {
  inc(labels: LabelValues<L>, value?: number): void;
}

export interface Metrics {
  webhooks: {
    received: Count<"source">;
    duplicate: Count<"source">;
    refused: Count<"source" | "reason">;
  };
  httpRequests: Count<"method" | "route" | "status">;
  /** The Prometheus text for GET /metrics, with its content type. */
  scrape(): Promise<{ text: string; contentType: string }>;
  /** Load the registry now (idempotent); counts made before are carried over. */
  load(): Promise<void>;
  /** Stop following the engine's events. */
  detach(): void;
}

export function createMetrics(engine: Engine, options: { processMetrics?: boolean } = {}): Metrics {
  let live: LiveRegistry | undefined;
  let loading: Promise<LiveRegistry> | undefined;
  // Until the registry is there: sums per counter and label set, and the job waits observed.
  const pendingCounts = new Map<string, { name: CounterName; labels: LabelValues<string>; value: number }>();
  const pendingWaits: number[] = [];

  const count = <L extends string>(name: CounterName): Count<L> => ({
    inc(labels, value = 1) {
      if (live) {
        live.counters[name].inc(labels, value);
        return;
      }
      const key = `${name}\n${JSON.stringify(Object.entries(labels).sort())}`;
      const sum = pendingCounts.get(key);
      if (sum) sum.value += value;
      else pendingCounts.set(key, { name, labels, value });
    },
  });
  const observeWait = (seconds: number) => {
    if (live) live.jobWait.observe(seconds);
    else pendingWaits.push(seconds);
  };

  const load = (): Promise<LiveRegistry> => {
    loading ??= import("./metrics-registry.ts").then(({ buildRegistry }) => {
      const made = buildRegistry(engine, { processMetrics: options.processMetrics ?? true });
      for (const { name, labels, value } of pendingCounts.values()) made.counters[name].inc(labels, value);
      for (const seconds of pendingWaits) made.jobWait.observe(seconds);
      pendingCounts.clear();
      pendingWaits.length = 0;
      live = made;
      return made;
    });
    return loading;
  };
  const timer = setTimeout(() => void load().catch(() => {}), LOAD_AFTER_MS);
  timer.unref();

  const runs = count<"flow" | "status">("runs");
  const polls = count<"flow" | "outcome">("polls");
  const pollRequests = count<"flow">("pollRequests");
  const pollRuns = count<"flow">("pollRuns");
  const ignored = count<"source" | "reason">("webhooksIgnored");
  const backfilled = count<"flow">("backfilled");

  const onRun = (e: { flowId: string; status: string }) => runs.inc({ flow: e.flowId, status: e.status });
  const onPoll = (e: { flowId: string; ok: boolean; requests: number; runs: number }) => {
    polls.inc({ flow: e.flowId, outcome: e.ok ? "ok" : "error" });
    if (e.requests) pollRequests.inc({ flow: e.flowId }, e.requests);
    if (e.runs) pollRuns.inc({ flow: e.flowId }, e.runs);
  };
  const onIgnored = (e: { source: string; reason: string }) =>
    ignored.inc({ source: e.source, reason: e.reason });
  const onJob = (e: { waitMs: number }) => observeWait(e.waitMs / 1000);
  const onBackfill = (e: { flowId: string; runs: number }) => backfilled.inc({ flow: e.flowId }, e.runs);
  engine.env.events.on("run", onRun);
  engine.env.events.on("job", onJob);
  engine.env.events.on("poll", onPoll);
  engine.env.events.on("webhook-ignored", onIgnored);
  engine.env.events.on("backfill", onBackfill);
  return {
    webhooks: {
      received: count("webhooksReceived"),
      duplicate: count("webhooksDuplicate"),
      refused: count("webhooksRefused"),
    },
    httpRequests: count("httpRequests"),
    async scrape() {
      const { registry } = await load();
      return { text: await registry.metrics(), contentType: registry.contentType };
    },
    load: async () => {
      await load();
    },
    detach() {
      clearTimeout(timer);
      engine.env.events.off("run", onRun);
      engine.env.events.off("job", onJob);
      engine.env.events.off("poll", onPoll);
      engine.env.events.off("webhook-ignored", onIgnored);
      engine.env.events.off("backfill", onBackfill);
    },
  };
}
