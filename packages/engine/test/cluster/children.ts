// Child processes for the cluster tests: a TypeScript entry run through tsx, which prints "ready" once
// set up, waits for "go" on stdin (so all children start together), then prints one JSON result line.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface Child {
  child: ChildProcess;
  ready: Promise<void>;
  result: Promise<unknown>;
  go(): void;
  kill(signal?: NodeJS.Signals): void;
}

export function startChild(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  /** Every stdout line after "ready", as it comes (for children that report as they go). */
  onLine?: (line: string) => void,
): Child {
  const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  const seen: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  let started = false;
  lines.on("line", (line) => {
    if (started && onLine) return onLine(line);
    if (line === "ready") started = true;
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else seen.push(line);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`child ${entry} exited (${code}): ${stderr}`))),
  );
  exited.catch(() => {});
  const nextLine = () =>
    Promise.race([
      new Promise<string>((resolve) => {
        const line = seen.shift();
        if (line !== undefined) resolve(line);
        else waiters.push(resolve);
      }),
      exited,
    ]);
  const ready = nextLine().then((line) => {
    if (line !== "ready") throw new Error(`child ${entry} said "${line}" instead of ready: ${stderr}`);
  });
  ready.catch(() => {});
  const result = ready.then(nextLine).then((line) => JSON.parse(line) as unknown);
  result.catch(() => {});
  return {
    child,
    ready,
    result,
    go: () => child.stdin!.write("go\n"),
    kill: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** In a child: announce readiness and wait for the go. */
export async function readyThenGo(): Promise<void> {
  process.stdout.write("ready\n");
  await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
}
