// Real `hlconnect` processes for the cluster tests: started from the sources, their first JSON stdout
// line read as their start report, killed (SIGKILL when a test says so) and always cleaned up.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bin/hlconnect.mjs");

export interface Proc {
  child: ChildProcess;
  /** The first stdout line, parsed. */
  ready: Promise<Record<string, unknown>>;
  /** Everything written to stderr so far (for failure messages). */
  stderr(): string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<Proc>();

export function startCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, HLCONNECT_FROM_SOURCE: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(
      () => reject(new Error(`hlconnect ${args[0]} did not start in ${timeoutMs} ms: ${err}`)),
      timeoutMs,
    );
    lines.once("line", (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`hlconnect ${args[0]} printed "${line}" first; stderr: ${err}`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hlconnect ${args[0]} exited (${code}) before it was ready: ${err}`));
    });
  });
  ready.catch(() => {});
  const proc: Proc = {
    child,
    ready,
    stderr: () => err,
    exited,
    async kill(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      running.delete(proc);
    },
  };
  running.add(proc);
  return proc;
}

/** Run a command to its end: exit code, stdout and stderr. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, HLCONNECT_FROM_SOURCE: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, stdout, stderr };
}

export async function killAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill("SIGKILL")));
}

/** Poll `check` until it returns a value, or fail after `timeoutMs` with `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
