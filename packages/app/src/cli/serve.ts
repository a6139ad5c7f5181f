// `hlconnect serve`: the engine (scheduler, webhook router, workers) with its HTTP server in one
// process. `--demo` adds an in-process sandbox, a connection to it and the example flows: the first
// thing a new user runs (`npm start`).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { registerSecret } from "@hlconnect/client";
import type { Engine } from "@hlconnect/engine/engine";
import type { FlowRecord } from "@hlconnect/engine/store/types";
import type { Sandbox } from "@hlconnect/sandbox";
import type { Command } from "commander";
import { type Listening, listen } from "../server/listen.ts";
import type { AppLogger } from "../server/logging.ts";
import type { Metrics } from "../server/metrics.ts";
import type { OAuthSettings } from "../server/oauth/settings.ts";
import { startLinkKey } from "../server/oauth/start-link.ts";
import {
  apiTokenFromEnv,
  DEFAULT_DATA_DIR,
  ensureDemoSecret,
  generateApiToken,
  leaseMsFromEnv,
  removeDemoSandbox,
  requireSecret,
  resolveDataDir,
  writeDemoSandbox,
} from "./data.ts";
import { CliError } from "./errors.ts";
import { addScaleOptions, readScaleOut, SCALE_ENV_HELP, type ScaleOptions, scaleNames } from "./scale.ts";
import { removeServerFile, writeServerFile } from "./server-file.ts";

// Start-up order (issue 14): the socket is bound first, with only the modules above loaded, so /healthz
// answers "starting" at once. The engine, the logger, the server's routes and the demo are imported
// after that, and the routes load while the engine opens (its key derivation runs off the main thread).
type DemoModule = typeof import("./demo.ts");
type FormatModule = typeof import("./format.ts");

interface ServeOptions extends ScaleOptions {
  /** With a database URL: also run workers in this process (without one, everything always does). */
  all?: boolean;
  port: string;
  host: string;
  data?: string;
  flows?: string;
  demo?: boolean;
  json?: boolean;
  logLevel?: string;
}

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
/** Long enough for the user to read the banner first. */
const DEMO_CONTACT_DELAY_MS = 1500;
/** A stop that takes longer (a run stuck in a slow call) is cut short. */
const STOP_TIMEOUT_MS = 10_000;

const ENV_HELP = `
Environment:
  HLCONNECT_SECRET               encrypts connection secrets at rest (required; --demo makes one)
  HLCONNECT_API_TOKEN            the bearer token /api/ requires (default: a new one, printed)
  HIGHLEVEL_BASE_URL             the HighLevel API (default https://services.leadconnectorhq.com)
  HIGHLEVEL_WEBHOOK_PUBLIC_KEY   the key that signs /webhooks/highlevel deliveries (PEM or base64;
                                 default HighLevel's published Ed25519 key)
  HLCONNECT_METRICS_AUTH=1       /metrics requires the API token too (for a server bound beyond 127.0.0.1)
  HLCONNECT_TRUST_PROXY          behind a reverse proxy: 1 = trust X-Forwarded-For from a proxy on this
                                 machine, or a comma list of proxy addresses/CIDRs (default: ignore it)
  HLCONNECT_JOB_LEASE_MS         how soon a killed process's runs resume elsewhere (default 60000)
  HIGHLEVEL_CLIENT_ID            your marketplace app's client id: enables OAuth connections (/oauth/start)
  HIGHLEVEL_CLIENT_SECRET        and its client secret (stored encrypted with each OAuth connection)
  HIGHLEVEL_MARKETPLACE_URL      the consent page's host or full URL (default https://marketplace.gohighlevel.com)
  HIGHLEVEL_APP_ID               the marketplace app id (default: the client id's part before "-")
  HIGHLEVEL_OAUTH_SCOPES         scopes to request (default: every scope the catalog's operations need)
  HLCONNECT_PUBLIC_URL           where browsers reach this server, for HighLevel's redirect to /oauth/callback
                                 (default: the address it listens on; register <URL>/oauth/callback in the app)${SCALE_ENV_HELP}`;

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("Run flows: the engine with its HTTP API, webhook endpoints, /healthz and /metrics")
    .option("--port <n>", "port to listen on (0 picks a free one)", "3000")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--data <dir>", `data directory (default ${DEFAULT_DATA_DIR}; with --demo a new temporary one)`)
    .option("--flows <dir>", "load (validate and save) the flow files of this folder at start")
    .option("--demo", "start a sandbox inside, connect to it, load the example flows and show runs")
    .option("--json", "first stdout line: {serverUrl, apiToken, dataDir, sandbox?}; then a JSON line per run")
    .option("--log-level <level>", `log level: ${LOG_LEVELS.join(", ")} (default info; warn for --demo)`)
    .option("--all", "with PostgreSQL + Redis: also run workers here (default: API, UI and webhooks only)")
    .addHelpText("after", ENV_HELP)
    .action((opts: ServeOptions) => serve(opts));
  addScaleOptions(program.commands.find((c) => c.name() === "serve")!);
}

async function serve(opts: ServeOptions): Promise<void> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`--port must be a port number (0 picks a free one), got "${opts.port}"`, 2);
  }
  // The demo's terminal is for its banner and runs; the log speaks up only when something is wrong.
  const level = opts.logLevel ?? (opts.demo && !opts.json ? "warn" : "info");
  if (!LOG_LEVELS.includes(level)) {
    throw new CliError(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got "${level}"`, 2);
  }
  const leaseMs = leaseMsFromEnv();
  const givenToken = apiTokenFromEnv();
  const apiToken = givenToken ?? generateApiToken();
  registerSecret(apiToken);

  const tempData = Boolean(opts.demo && !opts.data);
  const dataDir = tempData ? mkdtempSync(path.join(tmpdir(), "hlconnect-demo-")) : resolveDataDir(opts.data);
  // Checked before anything is created, so a missing secret leaves no empty data dir behind.
  const givenSecret = opts.demo
    ? undefined
    : requireSecret(dataDir, "the server decrypts the connections' tokens with it");
  const publicUrl = readPublicUrl();
  // The demo is always embedded: it is about trying things, not about a cluster.
  const scaleOut = opts.demo ? undefined : readScaleOut(opts);

  let listening: Listening | undefined;
  let sandbox: Sandbox | undefined;
  let opening: Promise<Engine> | undefined;
  let engine: Engine | undefined;
  let metrics: Metrics | undefined;
  const stop = async () => {
    await listening?.close();
    metrics?.detach();
    // A failure while the engine was still opening: it is closed once open.
    if (!engine && opening) engine = await opening.catch(() => undefined);
    await engine?.stop();
    await sandbox?.close();
    removeServerFile(dataDir);
    if (sandbox) removeDemoSandbox(dataDir);
    if (tempData) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    listening = await listen({ port, host: opts.host });
    const [{ createLogger, engineLogger }, envOAuth] = await Promise.all([
      import("../server/logging.ts"),
      opts.demo ? undefined : readOAuthEnv(),
    ]);
    const logger = createLogger({ level });
    mkdirSync(dataDir, { recursive: true });
    const secret = givenSecret ?? ensureDemoSecret(dataDir);
    const demo = opts.demo ? await import("./demo.ts") : undefined;
    if (demo) {
      // The demo's sandbox (and its Zapier catch hooks) is on loopback, which user-given URLs may
      // not reach by default.
      process.env.HLCONNECT_ALLOW_PRIVATE_URLS ??= "127.0.0.0/8,::1,localhost";
      // A kept data dir keeps the sandbox too: a restart finds its contacts (and makes no id twice).
      sandbox = await demo.startDemoSandbox(listening.url, tempData ? undefined : dataDir);
      writeDemoSandbox(dataDir, sandbox.info.baseUrl);
    }
    const baseUrl = sandbox?.info.baseUrl ?? process.env.HIGHLEVEL_BASE_URL?.trim();
    const webhookPublicKey =
      sandbox?.info.webhookPublicKey ?? process.env.HIGHLEVEL_WEBHOOK_PUBLIC_KEY?.trim();
    const { Engine } = await import("@hlconnect/engine/engine");
    opening = Engine.open({
      dataDir,
      secret,
      logger: engineLogger(logger),
      ...(baseUrl ? { baseUrl } : {}),
      ...(webhookPublicKey ? { webhookPublicKey } : {}),
      ...(leaseMs ? { leaseMs } : {}),
      // How often instant triggers are backfilled by polling (default 5 min; the chaos suite lowers it).
      ...(Number(process.env.HLCONNECT_BACKFILL_MS) > 0
        ? { backfillMs: Number(process.env.HLCONNECT_BACKFILL_MS) }
        : {}),
      ...(scaleOut
        ? {
            databaseUrl: scaleOut.databaseUrl,
            redisUrl: scaleOut.redisUrl,
            role: opts.all ? ("all" as const) : ("api" as const),
            ...scaleNames(),
          }
        : {}),
    });
    // Awaited below; until then a failure must not count as an unhandled rejection.
    opening.catch(() => {});
    const [server, format] = await Promise.all([import("../server/app.ts"), import("./format.ts")]);
    engine = await opening;
    if (demo && sandbox) await demo.connectToSandbox(engine, sandbox.info);
    const dirs = [
      ...(demo ? [demo.EXAMPLE_FLOWS_DIR] : []),
      ...(opts.flows ? [path.resolve(opts.flows)] : []),
    ];
    for (const dir of dirs) await loadFlows(engine, dir, logger, format);
    if (demo) await baselinePolls(engine, logger, demo);

    await engine.start();
    const oauth: OAuthSettings | undefined =
      demo && sandbox ? demo.sandboxOAuthSettings(sandbox.info) : envOAuth;
    const serverUrl = publicUrl ?? listening.url;
    const built = server.createApp({
      engine,
      apiToken,
      logger,
      metricsAuth: process.env.HLCONNECT_METRICS_AUTH === "1",
      oauth: { ...(oauth ? { settings: oauth } : {}), publicUrl: serverUrl, linkKey: startLinkKey(secret) },
      ...(sandbox ? { sandbox: { baseUrl: sandbox.info.baseUrl, locationId: sandbox.info.locationId } } : {}),
      // Flows made or edited in the browser are files here (--flows DIR, else the data folder's flows/).
      flowsDir: opts.flows ? path.resolve(opts.flows) : path.join(dataDir, "flows"),
      dataDir,
    });
    metrics = built.metrics;
    // Ready: /healthz answers from the engine from now on.
    listening.setApp(built.app);
    writeServerFile(dataDir, serverUrl);
    followRuns(engine, logger, opts, format);

    if (opts.json) {
      format.write(
        JSON.stringify({
          serverUrl: listening.url,
          apiToken,
          dataDir,
          ...(sandbox ? { sandbox: sandbox.info } : {}),
        }),
      );
    } else if (demo && sandbox) {
      const flows = await engine.store.listFlows();
      format.write(
        await demo.demoBanner({
          engine,
          serverUrl: listening.url,
          apiToken,
          dataDir,
          keepsData: !tempData,
          info: sandbox.info,
          flows,
        }),
      );
    } else {
      format.write(`hlconnect serving on ${listening.url} (data in ${dataDir})`);
      if (!givenToken)
        format.write(`API token for this run: ${apiToken}  (set HLCONNECT_API_TOKEN to choose one)`);
      if (oauth)
        format.write(
          `OAuth connections: \`hlconnect connections oauth\` prints a link (callback ${serverUrl}/oauth/callback)`,
        );
    }
    // The demo contact is made once per sandbox, not again by each restart.
    if (demo && sandbox && !demo.isReopenedSandbox(sandbox.info))
      scheduleDemoContact(engine, sandbox, logger, Boolean(opts.json), demo, format);
    stopOnSignals(stop, logger);
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

async function readOAuthEnv(): Promise<OAuthSettings | undefined> {
  const { OAuthSettingsError, oauthSettingsFromEnv } = await import("../server/oauth/settings.ts");
  try {
    return oauthSettingsFromEnv(process.env, process.env.HIGHLEVEL_BASE_URL?.trim() || undefined);
  } catch (err) {
    if (err instanceof OAuthSettingsError) throw new CliError(err.message, 2);
    throw err;
  }
}

/** HLCONNECT_PUBLIC_URL: the server's address as browsers (and HighLevel's redirect) reach it. */
function readPublicUrl(): string | undefined {
  const url = process.env.HLCONNECT_PUBLIC_URL?.trim().replace(/\/+$/, "");
  if (!url) return undefined;
  if (!/^https?:\/\/[^/]+/.test(url) || !URL.canParse(url)) {
    throw new CliError(
      `HLCONNECT_PUBLIC_URL must be an http(s) URL such as https://hooks.example.com, got "${url}"`,
      2,
    );
  }
  return url;
}

async function loadFlows(
  engine: Engine,
  dir: string,
  logger: AppLogger,
  { count }: FormatModule,
): Promise<FlowRecord[]> {
  const { formatFlowError } = await import("@hlconnect/engine/flows/index");
  let result: Awaited<ReturnType<Engine["loadFlowsDir"]>>;
  try {
    result = await engine.loadFlowsDir(dir);
  } catch (err) {
    throw new CliError(`cannot load the flows in ${dir}: ${(err as Error).message}`);
  }
  // A bad file does not stop the server: the others run, and the log says what to fix where.
  for (const e of result.errors)
    logger.warn({ file: e.file, line: e.line, column: e.column }, formatFlowError(e));
  logger.info(
    { dir, flows: result.loaded.map((f) => f.id) },
    `loaded ${count(result.loaded.length, "flow")}`,
  );
  return result.loaded;
}

/** Record where polling flows start, so contacts made from now on are new to them. */
async function baselinePolls(
  engine: Engine,
  logger: AppLogger,
  { DEMO_CONNECTION_ID }: DemoModule,
): Promise<void> {
  for (const record of await engine.store.listFlows({ enabled: true })) {
    if (!record.connectionIds.every((id) => id === DEMO_CONNECTION_ID)) continue;
    const { flow } = await engine.flow(record.id).catch(() => ({ flow: undefined }));
    if (flow?.trigger.type !== "polling" || (await engine.store.getTriggerState(record.id))) continue;
    await engine.pollNow(record.id).catch((err: Error) => {
      logger.warn({ flowId: record.id, error: err }, "first poll failed; the scheduler tries again");
    });
  }
}

function followRuns(
  engine: Engine,
  logger: AppLogger,
  opts: ServeOptions,
  { runEvent, runLine, write }: FormatModule,
): void {
  engine.env.events.on("run", (e: { runId: string }) => {
    void engine.store
      .getRun(e.runId)
      .then((run) => {
        if (!run) return;
        if (opts.json) write(JSON.stringify(runEvent(run)));
        else if (opts.demo) write(runLine(run));
        else {
          // The log line has its own `time`; the run's is its finish time.
          const { time, ...event } = runEvent(run);
          logger.info({ ...event, finishedAt: time }, `run ${run.status}: ${run.flowId}`);
        }
      })
      .catch(() => {}); // the store closed while stopping
  });
}

function scheduleDemoContact(
  engine: Engine,
  sandbox: Sandbox,
  logger: AppLogger,
  json: boolean,
  { createSandboxContact, demoContactText }: DemoModule,
  { write }: FormatModule,
): void {
  const timer = setTimeout(async () => {
    try {
      const { id } = await createSandboxContact(sandbox.info, {
        firstName: "Dana",
        lastName: "Demo",
        email: "dana.demo@example.com",
        phone: "+1 415 555 0123",
        source: "website",
      });
      const polling: string[] = [];
      for (const record of await engine.store.listFlows({ enabled: true })) {
        if (record.triggerKey && (await engine.flow(record.id)).flow.trigger.type === "polling")
          polling.push(record.id);
      }
      if (json) logger.info({ contactId: id }, "demo contact created in the sandbox");
      else write(demoContactText(sandbox.info, id, polling));
    } catch (err) {
      logger.warn({ error: err }, "could not create the demo contact");
    }
  }, DEMO_CONTACT_DELAY_MS);
  timer.unref();
}

function stopOnSignals(stop: () => Promise<void>, logger: AppLogger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second Ctrl-C: do not wait
    stopping = true;
    logger.info({ signal }, "stopping");
    setTimeout(() => {
      logger.error({}, `could not stop within ${STOP_TIMEOUT_MS / 1000} s; exiting anyway`);
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ error: err }, "stopping failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
