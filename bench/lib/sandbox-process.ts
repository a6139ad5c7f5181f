// Runs the sandbox in its own process, as a user would, so the server's work never shares an
// event loop with the client being measured.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { track } from "./children.ts";

export const BIN = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../packages/app/bin/hlconnect.mjs",
);

export interface SandboxInfo {
  baseUrl: string;
  companyId: string;
  locationId: string;
  locationToken: string;
  agencyToken: string;
  clientId: string;
  clientSecret: string;
  webhookPublicKey: string;
}

/** One entry of the sandbox's request log (`GET /__sandbox/requests`). */
export interface LoggedRequest {
  id: number;
  /** ISO time the sandbox answered, on its clock (the one its rate-limit windows are aligned to). */
  time: string;
  status: number;
  method: string;
  path: string;
  locationId?: string | null;
  operationId?: string | null;
  fault?: string | null;
}

export interface SandboxProcess {
  info: SandboxInfo;
  pid: number;
  stop(): Promise<void>;
  /** GET /__sandbox/requests: the sandbox's own log of what it answered (it keeps the last 10,000). */
  requests(after?: number): Promise<LoggedRequest[]>;
  clearRequests(): Promise<void>;
  /** A /__sandbox/ control endpoint, answered as JSON; throws on a non-2xx answer. */
  control<T = unknown>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  /**
   * Follow the request log while a run goes on (the log keeps only 10,000 entries): collect() starts
   * reading new entries every `everyMs`; the returned stop() reads the rest and gives them all.
   */
  collect(everyMs?: number): { stop(): Promise<LoggedRequest[]> };
}

export async function startSandboxProcess(args: string[] = []): Promise<SandboxProcess> {
  const child: ChildProcess = track(
    spawn(process.execPath, [BIN, "sandbox", "--json", "--port", "0", ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    }),
  );
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`sandbox exited with ${code} before it started`)));
  });
  const info = JSON.parse(first) as SandboxInfo;
  const control = (p: string) => `${info.baseUrl}/__sandbox/${p}`;
  const requests = async (after?: number): Promise<LoggedRequest[]> => {
    const res = await fetch(control(after === undefined ? "requests" : `requests?after=${after}`));
    const body = (await res.json()) as { requests?: unknown[] } | unknown[];
    return (Array.isArray(body) ? body : (body.requests ?? [])) as LoggedRequest[];
  };
  return {
    info,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
    requests,
    async clearRequests() {
      await fetch(control("requests"), { method: "DELETE" });
    },
    async control<T>(p: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
      const res = await fetch(control(p), {
        method: init.method ?? (init.body === undefined ? "GET" : "POST"),
        ...(init.body === undefined
          ? {}
          : { headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) }),
      });
      const body = (await res.json()) as T;
      if (!res.ok) throw new Error(`sandbox control ${p} answered ${res.status}: ${JSON.stringify(body)}`);
      return body;
    },
    collect(everyMs = 250) {
      const seen: LoggedRequest[] = [];
      let last = 0;
      let reading: Promise<void> = Promise.resolve();
      const read = () => {
        reading = reading.then(async () => {
          const fresh = await requests(last);
          for (const e of fresh) {
            if (e.id <= last) continue;
            seen.push(e);
            last = e.id;
          }
        });
        return reading;
      };
      const timer = setInterval(() => void read().catch(() => {}), everyMs);
      return {
        async stop() {
          clearInterval(timer);
          await reading.catch(() => {});
          await read();
          return seen;
        },
      };
    },
  };
}
