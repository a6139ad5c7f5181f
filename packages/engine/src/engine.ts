// The engine, embedded: one SQLite file holding flows, connections, runs and the job queue, with
// the scheduler, the webhook router and the workers in this process. The HTTP server and the CLI
// drive it through this class only.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  DEFAULT_WEBHOOK_MAX_AGE_MS,
  verifyWebhook,
  type WebhookHeaders,
  WebhookVerificationError,
} from "@hlconnect/client";
import { type Backends, openBackends } from "./cluster/backends.ts";
import { type EngineRole, scaleOutConfig } from "./cluster/config.ts";
import { ConnectionClients } from "./connections/clients.ts";
import {
  type Flow,
  type FlowError,
  formatFlowError,
  loadFlowsFromDir,
  parseFlowFile,
} from "./flows/index.ts";
import { routingProblem } from "./flows/routing.ts";
import { EventLoopLag } from "./load/event-loop.ts";
import { type Logger, silentLogger } from "./logger.ts";
import type { JobQueue } from "./queue/types.ts";
import { startWorker, type Worker } from "./queue/worker.ts";
import { createRunEnvironment, type RunEnvironment } from "./runner/environment.ts";
import { executeRun } from "./runner/run-executor.ts";
import { type PollReport, PollScheduler } from "./scheduler/poller.ts";
import { NotFoundError } from "./store/errors.ts";
import { preparePrivateDir } from "./store/sqlite/private-files.ts";
import type {
  ConnectionInput,
  ConnectionSecrets,
  FlowRecord,
  RunRecord,
  StepRecord,
  Store,
} from "./store/types.ts";
import { Backfiller } from "./webhooks/backfill.ts";
import { HIGHLEVEL_WEBHOOK_PUBLIC_KEY } from "./webhooks/highlevel-key.ts";
import { WebhookIngest } from "./webhooks/ingest.ts";
import { checkPayloadDepth, WebhookPayloadError } from "./webhooks/payload.ts";
import { FLOW_HOOK_SOURCE, HIGHLEVEL_SOURCE, WebhookRouter } from "./webhooks/router.ts";

export interface EngineOptions {
  /** Folder of the SQLite file (created if missing). */
  dataDir: string;
  /** HLCONNECT_SECRET: encrypts tokens at rest. */
  secret?: string;
  /** HighLevel API base URL (the sandbox's in demo mode). */
  baseUrl?: string;
  /** Public key that signs HighLevel's webhooks (PEM or base64); default HighLevel's published key. */
  webhookPublicKey?: string;
  logger?: Logger;
  now?: () => number;
  workers?: number;
  pollTickMs?: number;
  alertWebhook?: string;
  defaultCountry?: string;
  timeZone?: string;
  /** How long run history is kept (default 30 days). */
  historyMs?: number;
  /**
   * A worker's hold on a run's job (default 60 s, renewed while it runs). When a process dies, its
   * runs resume elsewhere once this runs out: shorter resumes sooner, at the cost of more renewals.
   */
  leaseMs?: number;
  /** How often instant triggers are backfilled by polling, besides at start (default 5 min). */
  backfillMs?: number;
  /** Webhooks waiting for their commit beyond which new ones get a 429 (default 1000). */
  ingestMaxPending?: number;
  /** Refresh OAuth tokens this long before they expire (default 60 s); tests with short-lived tokens lower it. */
  refreshSkewMs?: number;
  /** PostgreSQL store (with redisUrl): the scale-out deployment. Absent: SQLite in dataDir. */
  databaseUrl?: string;
  /** BullMQ job queue and the shared rate limiter (with databaseUrl). */
  redisUrl?: string;
  /** PostgreSQL schema (default "hlconnect") and Redis key prefix (default "hlconnect"). */
  schema?: string;
  redisPrefix?: string;
  /** What this process does (default "all"): "api" runs no workers, "worker" serves no HTTP (the CLI's part). */
  role?: EngineRole;
  /** Scale-out: how often the scheduler's leader re-enqueues open runs the queue lost (default 30 s). */
  sweepMs?: number;
}

export class Engine {
  readonly store: Store;
  readonly queue: JobQueue;
  readonly env: RunEnvironment;
  readonly clients: ConnectionClients;
  readonly scheduler: PollScheduler;
  readonly router: WebhookRouter;
  /** Reads, by polling, the events of instant triggers that webhooks did not deliver. */
  readonly backfill: Backfiller;
  /** Group commits of incoming webhooks, refusing new ones (429) when commits or the event loop lag. */
  readonly ingest: WebhookIngest;
  /** How late this process's event loop runs (measured while started). */
  readonly loopLag = new EventLoopLag();
  readonly logger: Logger;
  readonly #options: EngineOptions;
  readonly #backends: Backends;
  #workers: Worker[] = [];
  #stopping = false;
  #pruneTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;

  private constructor(options: EngineOptions, backends: Backends) {
    const { store, queue } = backends;
    this.#options = options;
    this.store = store;
    this.queue = queue;
    this.#backends = backends;
    this.logger = options.logger ?? silentLogger;
    this.clients = new ConnectionClients({
      store,
      ...(backends.limiter ? { limiter: backends.limiter } : {}),
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.refreshSkewMs !== undefined ? { refreshSkewMs: options.refreshSkewMs } : {}),
    });
    this.env = createRunEnvironment({
      store,
      clients: this.clients,
      logger: this.logger,
      ...(options.now ? { now: options.now } : {}),
      ...(options.defaultCountry ? { defaultCountry: options.defaultCountry } : {}),
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
      ...(options.alertWebhook ? { alertWebhook: options.alertWebhook } : {}),
    });
    this.scheduler = new PollScheduler(this.env, queue, { tickMs: options.pollTickMs ?? 1000 });
    this.backfill = new Backfiller(this.env, queue, {
      ...(options.backfillMs ? { intervalMs: options.backfillMs } : {}),
    });
    this.ingest = new WebhookIngest(store, {
      ...(options.ingestMaxPending !== undefined ? { maxPending: options.ingestMaxPending } : {}),
      lagMs: () => this.loopLag.lagMs,
    });
    this.router = new WebhookRouter(this.env, queue, `router-${process.pid}`, options.leaseMs);
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const logger = options.logger ?? silentLogger;
    const loose = preparePrivateDir(options.dataDir);
    if (loose) logger.warn({ dataDir: options.dataDir }, loose);
    const backends = await openBackends({
      dataDir: options.dataDir,
      scaleOut: scaleOutConfig(options.databaseUrl, options.redisUrl),
      ...(options.secret ? { secret: options.secret } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.schema ? { schema: options.schema } : {}),
      ...(options.redisPrefix ? { redisPrefix: options.redisPrefix } : {}),
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
      onError: (error, where) => logger.warn({ error: String(error) }, `${where}: connection trouble`),
    });
    return new Engine(options, backends);
  }

  /** Where state lives, and whether the store and the queue answer (for /healthz). */
  async health() {
    const parts = await this.#backends.health();
    return {
      ok: parts.store.status === "ok" && parts.queue.status === "ok",
      mode: this.#backends.kind,
      role: this.#options.role ?? "all",
      leader: this.#backends.leader.isLeader,
      ...parts,
    };
  }

  /** Counters for /metrics: jobs taken over from dead holders, scheduler terms won by this process. */
  clusterStats(): { leaseTakeovers: number; leaderTerms: number; leader: boolean } {
    const { leader } = this.#backends;
    return {
      leaseTakeovers: this.#backends.leaseTakeovers(),
      leaderTerms: leader.terms,
      leader: leader.isLeader,
    };
  }

  /** Enqueue every queued or running run (idempotent per run): after a crash, or when the queue lost jobs. */
  async requeueOpenRuns(): Promise<number> {
    let count = 0;
    for (const status of ["queued", "running"] as const) {
      let cursor: string | undefined;
      do {
        const page = await this.store.listRuns({ status, limit: 500, ...(cursor ? { cursor } : {}) });
        for (const run of page.runs) await this.queue.enqueue({ runId: run.id });
        count += page.runs.length;
        cursor = page.nextCursor;
      } while (cursor);
    }
    return count;
  }

  /** Start the scheduler, the router and the workers, after re-queuing runs a crash left behind. */
  async start(): Promise<void> {
    this.#stopping = false;
    this.loopLag.start();
    await this.requeueOpenRuns();
    const count = this.#options.role === "api" ? 0 : (this.#options.workers ?? 2);
    for (let i = 0; i < count; i++) {
      this.#workers.push(
        startWorker({
          queue: this.queue,
          workerId: `worker-${process.pid}-${i}`,
          pollMs: 500,
          // While answers run late, runs wait a little before the next: acknowledgements come first.
          pauseMs: () => (this.loopLag.lagMs > 100 ? 50 : 0),
          ...(this.#options.leaseMs ? { leaseMs: this.#options.leaseMs } : {}),
          handle: async (job, signal) => {
            const started = Date.now();
            // Job latency: from when the job could run to when a worker took it.
            this.env.events.emit("job", { waitMs: Math.max(0, started - job.availableAt) });
            const outcome = await executeRun(this.env, job.runId, job.attempts, signal);
            return outcome.status === "retry"
              ? { retryAt: outcome.retryAt, error: outcome.error }
              : undefined;
          },
          onError: (error, job) =>
            this.logger.error({ runId: job?.runId, error: String(error) }, "run crashed"),
        }),
      );
    }
    // One scheduler and one backfill in the cluster: the leader's (always this process when embedded).
    // The leader also sweeps: runs the store says are open but the queue has lost get their job back.
    this.#backends.leader.start({
      gained: () => {
        this.scheduler.start();
        // The backfill polls HighLevel for every flow: once per cluster, not once per process.
        this.backfill.start();
        if (this.#backends.kind === "scale-out") {
          this.#sweepTimer = setInterval(() => void this.#sweep(), this.#options.sweepMs ?? 30_000);
          this.#sweepTimer.unref();
        }
        this.logger.info({}, "this process now runs the scheduler");
      },
      lost: () => {
        this.scheduler.stop();
        this.backfill.stop();
        clearInterval(this.#sweepTimer);
        // Handing the role over at shutdown is expected; losing it while running is worth a warning.
        if (this.#stopping) this.logger.info({}, "scheduler stopped (shutting down)");
        else this.logger.warn({}, "this process no longer runs the scheduler");
      },
    });
    this.router.start();
    this.#pruneTimer = setInterval(() => void this.prune(), 3_600_000);
    this.#pruneTimer.unref();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.loopLag.stop();
    await this.#backends.leader.stop();
    this.scheduler.stop();
    this.router.stop();
    this.backfill.stop();
    clearInterval(this.#pruneTimer);
    clearInterval(this.#sweepTimer);
    await Promise.all(this.#workers.map((w) => w.stop()));
    this.#workers = [];
    await this.#backends.close();
  }

  async #sweep(): Promise<void> {
    try {
      await this.requeueOpenRuns();
    } catch (error) {
      this.logger.warn({ error: String(error) }, "sweep of open runs failed; trying again later");
    }
  }

  async prune(): Promise<void> {
    const keep = this.#options.historyMs ?? 30 * 86_400_000;
    await this.store.pruneHistory((this.#options.now ?? Date.now)() - keep);
  }

  // ---------------------------------------------------------------- flows

  /** Validate a flow file and save it; errors say file, line and column, and nothing is saved. */
  async saveFlow(source: string, file: string): Promise<{ flow?: FlowRecord; errors: FlowError[] }> {
    const parsed = parseFlowFile(source, file);
    if (!parsed.flow) return { errors: parsed.errors };
    const flow = parsed.flow;
    const unroutable = flow.enabled ? await routingProblem(this.store, flow, source) : undefined;
    if (unroutable) return { errors: [unroutable] };
    const record = await this.store.saveFlow({
      id: flow.id,
      name: flow.name,
      source,
      filePath: file,
      enabled: flow.enabled,
      ...(flow.trigger.type !== "webhook" ? { triggerKey: flow.trigger.op } : {}),
      connectionIds: flow.connection ? [flow.connection] : [],
    });
    if (flow.trigger.type === "webhook" && !(await this.store.getFlowHookSecret(flow.id))) {
      await this.store.setFlowHookSecret(flow.id, randomBytes(24).toString("base64url"));
    }
    return { flow: record, errors: [] };
  }

  /** Switch a flow on or off; a flow that could not be routed to a connection is refused, naming the fix. */
  async setFlowEnabled(
    id: string,
    enabled: boolean,
    options: { dryRun?: boolean } = {},
  ): Promise<FlowRecord> {
    if (enabled) {
      const { record, flow } = await this.flow(id);
      const unroutable = await routingProblem(this.store, flow, record.source);
      if (unroutable) throw new Error(formatFlowError(unroutable));
    }
    return this.store.setFlowEnabled(id, enabled, options.dryRun ? { dryRun: true } : {});
  }

  /** Load every flow file of a folder; returns the errors of the files that did not validate. */
  async loadFlowsDir(dir: string): Promise<{ loaded: FlowRecord[]; errors: FlowError[] }> {
    const loaded: FlowRecord[] = [];
    const errors: FlowError[] = [];
    for (const result of loadFlowsFromDir(dir)) {
      if (!result.flow) {
        errors.push(...result.errors);
        continue;
      }
      const saved = await this.saveFlow(readFileSync(result.file, "utf8"), result.file);
      if (saved.flow) loaded.push(saved.flow);
      errors.push(...saved.errors);
    }
    return { loaded, errors };
  }

  async flow(id: string): Promise<{ record: FlowRecord; flow: Flow }> {
    const record = await this.store.getFlow(id);
    if (!record) throw new Error(`no flow "${id}"`);
    return { record, flow: this.env.parseFlow(record.source, record.filePath ?? `${id}.yaml`) };
  }

  /** Poll a polling flow now (whatever its schedule). */
  async pollNow(id: string): Promise<PollReport> {
    return this.scheduler.pollFlow((await this.flow(id)).flow);
  }

  /** Start a new run of a flow with a given trigger payload (replays and `flows run-once`). */
  async startRun(
    flowId: string,
    trigger: unknown,
    replayOf?: string,
    options: { dryRun?: boolean } = {},
  ): Promise<RunRecord> {
    const { run } = await this.store.createRun({
      flowId,
      trigger,
      ...(replayOf ? { replayOf } : {}),
      ...(options.dryRun !== undefined ? { dryRun: options.dryRun } : {}),
    });
    await this.queue.enqueue({ runId: run.id });
    return run;
  }

  /**
   * Run a run's trigger again as a new run. A run that failed or needs attention resumes where it
   * stopped: the steps it finished are carried over (their recorded input and output, not run again),
   * so replaying a run whose third step failed does not create what the first two created a second
   * time. `from: "start"` runs every step again; a run that succeeded or was skipped starts over.
   * `replayFrom` is the first step that runs (undefined: the run starts at the top).
   */
  async replay(
    runId: string,
    /** enqueue: false leaves the run without a job, for a caller that executes it itself (the CLI). */
    options: { from?: "stopped-step" | "start"; enqueue?: boolean } = {},
  ): Promise<RunRecord & { replayFrom?: string; carriedOver: string[] }> {
    const old = await this.store.getRun(runId);
    if (!old) throw new Error(`no run "${runId}"`);
    const resume = options.from !== "start" && (old.status === "failed" || old.status === "needs_attention");
    const carry = resume ? await this.#finishedSteps(old) : { steps: [], next: undefined };
    const { run } = await this.store.createRun({
      flowId: old.flowId,
      trigger: old.trigger,
      replayOf: old.id,
    });
    // Written before the job exists: the executor finds them in the ledger and skips those steps.
    for (const step of carry.steps) {
      await this.store.startStep(run.id, step.stepId, step.input ?? null);
      await this.store.finishStep(run.id, step.stepId, {
        status: step.status as "succeeded" | "skipped",
        ...(step.output !== undefined ? { output: step.output } : {}),
      });
    }
    if (options.enqueue !== false) await this.queue.enqueue({ runId: run.id });
    return {
      ...run,
      ...(carry.next ? { replayFrom: carry.next } : {}),
      carriedOver: carry.steps.map((s) => s.stepId),
    };
  }

  /** The old run's finished steps, in the flow's current order, up to the first one that did not finish. */
  async #finishedSteps(old: RunRecord): Promise<{ steps: StepRecord[]; next: string | undefined }> {
    const record = await this.store.getFlow(old.flowId);
    if (!record) return { steps: [], next: undefined };
    let flow: Flow;
    try {
      flow = this.env.parseFlow(record.source, record.filePath ?? `${record.id}.yaml`);
    } catch {
      return { steps: [], next: undefined }; // the run will fail with the flow's own error
    }
    const done = new Map((await this.store.listSteps(old.id)).map((s) => [s.stepId, s]));
    const steps: StepRecord[] = [];
    for (const step of flow.steps) {
      const prior = done.get(step.id);
      if (prior?.status !== "succeeded" && prior?.status !== "skipped") return { steps, next: step.id };
      steps.push(prior);
    }
    return { steps, next: undefined };
  }

  // ---------------------------------------------------------------- connections

  async addConnection(input: ConnectionInput, secrets: ConnectionSecrets) {
    const record = await this.store.saveConnection(input);
    await this.store.setConnectionSecrets(record.id, secrets);
    this.clients.forget(record.id);
    return record;
  }

  // ---------------------------------------------------------------- webhooks

  /**
   * HighLevel's webhook: verified against the raw bytes, stored before the caller answers 200 (so an
   * acknowledged event is never lost), duplicates by webhookId ignored.
   */
  async receiveHighLevelWebhook(
    raw: Buffer,
    headers: WebhookHeaders,
  ): Promise<{ accepted: boolean; duplicate: boolean }> {
    this.ingest.admit(); // refused before the work of verifying it, when it could not be taken anyway
    const key = this.#options.webhookPublicKey || HIGHLEVEL_WEBHOOK_PUBLIC_KEY;
    const event = verifyWebhook(raw, headers, {
      publicKey: key,
      maxAgeMs: DEFAULT_WEBHOOK_MAX_AGE_MS,
      ...(this.#options.now ? { now: this.#options.now() } : {}),
    }) as unknown as Record<string, unknown>;
    // A non-string id would collapse ("[object Object]") into one dedupe key for unrelated events.
    if (event.webhookId !== undefined && typeof event.webhookId !== "string")
      throw new WebhookPayloadError(`webhookId must be a string, got ${JSON.stringify(event.webhookId)}`);
    const webhookId = event.webhookId ?? "";
    if (!webhookId) throw new WebhookVerificationError("malformed_json", "the event has no webhookId");
    checkPayloadDepth(event);
    const { inserted } = await this.ingest.insert({
      source: HIGHLEVEL_SOURCE,
      webhookId,
      ...(typeof event.locationId === "string" ? { locationId: event.locationId } : {}),
      payload: event,
      receivedAt: (this.#options.now ?? Date.now)(),
    });
    if (inserted) void this.router.drain();
    return { accepted: true, duplicate: !inserted };
  }

  /** Whether the secret opens the flow's hook; false alike for an unknown flow and a wrong secret. */
  async checkFlowHookSecret(flowId: string, secret: string | undefined): Promise<boolean> {
    // An unknown flow has no secret (the store's not-found is not told apart).
    const expected = await this.store.getFlowHookSecret(flowId).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    });
    return Boolean(expected && secret && safeEqual(secret, expected));
  }

  /** The generic per-flow endpoint: any JSON, authenticated by the flow's own secret. */
  async receiveFlowHook(flowId: string, secret: string | undefined, payload: unknown, deliveryId?: string) {
    if (!(await this.checkFlowHookSecret(flowId, secret))) return { accepted: false as const };
    checkPayloadDepth(payload);
    const webhookId = deliveryId ?? randomBytes(12).toString("hex");
    const { inserted } = await this.ingest.insert({
      source: FLOW_HOOK_SOURCE,
      webhookId: `${flowId}:${webhookId}`,
      flowId,
      payload,
      receivedAt: (this.#options.now ?? Date.now)(),
    });
    if (inserted) void this.router.drain();
    return { accepted: true as const, duplicate: !inserted };
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
