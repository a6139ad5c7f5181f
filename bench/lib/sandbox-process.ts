// Runs the sandbox in its own process, as a user would, so the server's work never shares an
// event loop with the client being measured.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const BIN = path.resolve(
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

export interface SandboxProcess {
  info: SandboxInfo;
  stop(): Promise<void>;
  /** GET /__sandbox/requests: the sandbox's own log of what it answered. */
  requests(): Promise<Array<{ status: number; method: string; path: string; operationId?: string }>>;
  clearRequests(): Promise<void>;
}

export async function startSandboxProcess(args: string[] = []): Promise<SandboxProcess> {
  const child: ChildProcess = spawn(process.execPath, [BIN, "sandbox", "--json", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`sandbox exited with ${code} before it started`)));
  });
  const info = JSON.parse(first) as SandboxInfo;
  const control = (p: string) => `${info.baseUrl}/__sandbox/${p}`;
  return {
    info,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
    async requests() {
      const res = await fetch(control("requests"));
      const body = (await res.json()) as { requests?: unknown[] } | unknown[];
      return (Array.isArray(body) ? body : (body.requests ?? [])) as Array<{
        status: number;
        method: string;
        path: string;
        operationId?: string;
      }>;
    },
    async clearRequests() {
      await fetch(control("requests"), { method: "DELETE" });
    },
  };
}
