// Prometheus metrics for GET /metrics. Each server gets its own registry (tests run several in one
// process). Run and poll counters follow the engine's events; webhook counters are bumped by the
// webhook routes; the queue gauge is read from the queue when scraped.
import type { Engine } from "@hlconnect/engine/engine";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  webhooks: {
    received: Counter<"source">;
    duplicate: Counter<"source">;
    refused: Counter<"source" | "reason">;
  };
  httpRequests: Counter<"method" | "route" | "status">;
  /** Stop following the engine's events. */
  detach(): void;
}

export function createMetrics(engine: Engine, options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const runs = new Counter({
    name: "hlconnect_runs_finished_total",
    help: "Runs finished by this process, by final status",
    labelNames: ["flow", "status"] as const,
    registers: [registry],
  });
  const polls = new Counter({
    name: "hlconnect_polls_total",
    help: "Polls of polling triggers, by flow and outcome (ok or error)",
    labelNames: ["flow", "outcome"] as const,
    registers: [registry],
  });
  const pollRequests = new Counter({
    name: "hlconnect_poll_requests_total",
    help: "HighLevel API requests made by polls, by flow",
    labelNames: ["flow"] as const,
    registers: [registry],
  });
  const pollRuns = new Counter({
    name: "hlconnect_poll_runs_total",
    help: "Runs created by polls (new trigger events), by flow",
    labelNames: ["flow"] as const,
    registers: [registry],
  });
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
  const webhooks = {
    received: new Counter({
      name: "hlconnect_webhooks_received_total",
      help: "Webhooks accepted and stored, by source (highlevel, hook)",
      labelNames: ["source"] as const,
      registers: [registry],
    }),
    duplicate: new Counter({
      name: "hlconnect_webhooks_duplicate_total",
      help: "Webhooks acknowledged but ignored as already received, by source",
      labelNames: ["source"] as const,
      registers: [registry],
    }),
    refused: new Counter({
      name: "hlconnect_webhooks_refused_total",
      help: "Webhooks refused (bad signature, stale, wrong secret...), by source and reason",
      labelNames: ["source", "reason"] as const,
      registers: [registry],
    }),
  };
  const ignored = new Counter({
    name: "hlconnect_webhooks_ignored_total",
    help: "Stored webhooks that started no run for a flow, by source and reason (no_connection, flow_paused...)",
    labelNames: ["source", "reason"] as const,
    registers: [registry],
  });
  const backfilled = new Counter({
    name: "hlconnect_backfill_runs_total",
    help: "Runs created by backfill (events of instant triggers the webhook did not deliver), by flow",
    labelNames: ["flow"] as const,
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: "hlconnect_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });

  const onRun = (e: { flowId: string; status: string }) => runs.inc({ flow: e.flowId, status: e.status });
  const onPoll = (e: { flowId: string; ok: boolean; requests: number; runs: number }) => {
    polls.inc({ flow: e.flowId, outcome: e.ok ? "ok" : "error" });
    if (e.requests) pollRequests.inc({ flow: e.flowId }, e.requests);
    if (e.runs) pollRuns.inc({ flow: e.flowId }, e.runs);
  };
  const onIgnored = (e: { source: string; reason: string }) =>
    ignored.inc({ source: e.source, reason: e.reason });
  const onJob = (e: { waitMs: number }) => jobWait.observe(e.waitMs / 1000);
  engine.env.events.on("run", onRun);
  engine.env.events.on("job", onJob);
  engine.env.events.on("poll", onPoll);
  const onBackfill = (e: { flowId: string; runs: number }) => backfilled.inc({ flow: e.flowId }, e.runs);
  engine.env.events.on("webhook-ignored", onIgnored);
  engine.env.events.on("backfill", onBackfill);
  return {
    registry,
    webhooks,
    httpRequests,
    detach() {
      engine.env.events.off("run", onRun);
      engine.env.events.off("job", onJob);
      engine.env.events.off("poll", onPoll);
      engine.env.events.off("webhook-ignored", onIgnored);
      engine.env.events.off("backfill", onBackfill);
    },
  };
}
