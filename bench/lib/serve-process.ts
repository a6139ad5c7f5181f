// `hlconnect serve` in its own process with a data dir, as a user runs it: the engine, its HTTP API
// and the webhook endpoint the sandbox posts signed events to.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { track } from "./children.ts";
import { BIN } from "./sandbox-process.ts";

export interface RunEvent {
  event: "run";
  runId: string;
  flowId: string;
  status: string;
  time: string;
}

export interface ServeProcess {
  serverUrl: string;
  apiToken: string;
  dataDir: string;
  pid: number;
  /** Run events `serve --json` printed so far (one per finished run). */
  runs: RunEvent[];
  /** Resolves once `count` run events have been printed; rejects after `timeoutMs`. */
  waitForRuns(count: number, timeoutMs: number): Promise<void>;
  api<T = unknown>(p: string, init?: { method?: string; body?: unknown }): Promise<T>;
  stop(): Promise<void>;
}

/** A port free right now (the sandbox needs the server's address before the server starts). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export async function startServeProcess(opts: {
  port: number;
  flowsDir: string;
  baseUrl: string;
  webhookPublicKey: string;
}): Promise<ServeProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "hlconnect-bench-serve-"));
  const apiToken = randomBytes(18).toString("base64url");
  // Only what this server needs: nothing of the caller's HighLevel or OAuth settings.
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("HIGHLEVEL_") && !k.startsWith("HLCONNECT_")) env[k] = v;
  }
  Object.assign(env, {
    HLCONNECT_SECRET: randomBytes(32).toString("base64"),
    HLCONNECT_API_TOKEN: apiToken,
    HIGHLEVEL_BASE_URL: opts.baseUrl,
    HIGHLEVEL_WEBHOOK_PUBLIC_KEY: opts.webhookPublicKey,
  });
  const child: ChildProcess = track(
    spawn(
      process.execPath,
      [
        BIN,
        "serve",
        "--port",
        String(opts.port),
        "--data",
        dataDir,
        "--flows",
        opts.flowsDir,
        "--json",
        "--log-level",
        "warn",
      ],
      { stdio: ["ignore", "pipe", "inherit"], env },
    ),
  );
  const runs: RunEvent[] = [];
  const waiters = new Set<() => void>();
  let serverUrl: string | undefined;
  const started = new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`hlconnect serve exited with ${code} before it started`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (!serverUrl && typeof msg.serverUrl === "string") {
        serverUrl = msg.serverUrl;
        resolve();
      } else if (msg.event === "run") {
        runs.push(msg as unknown as RunEvent);
        for (const w of waiters) w();
      }
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await started;
  } catch (err) {
    await stop();
    throw err;
  }
  const url = serverUrl!;
  return {
    serverUrl: url,
    apiToken,
    dataDir,
    pid: child.pid!,
    runs,
    waitForRuns(count, timeoutMs) {
      if (runs.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (runs.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`only ${runs.length} of ${count} runs finished within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    async api<T>(p: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
      const res = await fetch(`${url}/api/${p}`, {
        method: init.method ?? (init.body === undefined ? "GET" : "POST"),
        headers: {
          authorization: `Bearer ${apiToken}`,
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      const body = (await res.json()) as T;
      if (!res.ok) throw new Error(`/api/${p} answered ${res.status}: ${JSON.stringify(body)}`);
      return body;
    },
    stop,
  };
}
