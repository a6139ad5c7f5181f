// The Prometheus side of metrics.ts: the prom-client registry with every metric /metrics shows.
// prom-client takes a noticeable part of `serve`'s start on a small machine, so metrics.ts imports this
// module only once the server is ready (or at the first scrape), and hands it what it counted meanwhile.
import type { Engine } from "@hlconnect/engine/engine";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Every counter metrics.ts bumps, by the name it uses for it. */
export type CounterName =
  | "runs"
  | "polls"
  | "pollRequests"
  | "pollRuns"
  | "webhooksReceived"
  | "webhooksDuplicate"
  | "webhooksRefused"
  | "webhooksIgnored"
  | "backfilled"
  | "httpRequests";

export interface LiveRegistry {
  registry: Registry;
  counters: Record<CounterName, Counter<string>>;
  jobWait: Histogram<string>;
}

export function buildRegistry(engine: Engine, options: { processMetrics: boolean }): LiveRegistry {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const counter = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  // Registered in the order /metrics has always listed them.
  const runs = counter("hlconnect_runs_finished_total", "Runs finished by this process, by final status", [
    "flow",
    "status",
  ]);
  const polls = counter(
    "hlconnect_polls_total",
    "Polls of polling triggers, by flow and outcome (ok or error)",
    ["flow", "outcome"],
  );
  const pollRequests = counter(
    "hlconnect_poll_requests_total",
    "HighLevel API requests made by polls, by flow",
    ["flow"],
  );
  const pollRuns = counter(
    "hlconnect_poll_runs_total",
    "Runs created by polls (new trigger events), by flow",
    ["flow"],
  );
  new Gauge({
    name: "hlconnect_queue_jobs",
    help: "Jobs in the run queue, by state (ready, scheduled, leased)",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      const stats = await engine.queue.stats();
      for (const [state, n] of Object.entries(stats)) this.set({ state }, n);
    },
  });
  const jobWait = new Histogram({
    name: "hlconnect_job_wait_seconds",
    help: "Job latency: from when a run's job could start to when a worker of this process took it",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  new Gauge({
    name: "hlconnect_lease_takeovers",
    help: "Jobs this process took back from a holder whose lease ran out (a dead or stuck worker)",
    registers: [registry],
    collect() {
      this.set(engine.clusterStats().leaseTakeovers);
    },
  });
  new Gauge({
    name: "hlconnect_scheduler_leader",
    help: "1 while this process runs the cluster's scheduler",
    registers: [registry],
    collect() {
      this.set(engine.clusterStats().leader ? 1 : 0);
    },
  });
  const counters: Record<CounterName, Counter<string>> = {
    runs,
    polls,
    pollRequests,
    pollRuns,
    webhooksReceived: counter(
      "hlconnect_webhooks_received_total",
      "Webhooks accepted and stored, by source (highlevel, hook)",
      ["source"],
    ),
    webhooksDuplicate: counter(
      "hlconnect_webhooks_duplicate_total",
      "Webhooks acknowledged but ignored as already received, by source",
      ["source"],
    ),
    webhooksRefused: counter(
      "hlconnect_webhooks_refused_total",
      "Webhooks refused (bad signature, stale, wrong secret...), by source and reason",
      ["source", "reason"],
    ),
    webhooksIgnored: counter(
      "hlconnect_webhooks_ignored_total",
      "Stored webhooks that started no run for a flow, by source and reason (no_connection, flow_paused...)",
      ["source", "reason"],
    ),
    backfilled: counter(
      "hlconnect_backfill_runs_total",
      "Runs created by backfill (events of instant triggers the webhook did not deliver), by flow",
      ["flow"],
    ),
    httpRequests: counter(
      "hlconnect_http_requests_total",
      "HTTP requests answered, by method, route pattern and status",
      ["method", "route", "status"],
    ),
  };
  return { registry, counters, jobWait };
}
