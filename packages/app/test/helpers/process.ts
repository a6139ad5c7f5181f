// Waiting on things that happen elsewhere (a spawned server, runs in the background) with a deadline
// that names what never came, so a hung test fails saying why.
import type { ChildProcess } from "node:child_process";

/** The child's first line of stdout; `what` names it in the error if it exits or stays silent. */
export function firstLine(child: ChildProcess, what: string, timeoutMs = 25_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(
      () => reject(new Error(`${what}: no first line within ${timeoutMs} ms; stderr:\n${err}`)),
      timeoutMs,
    );
    child.stderr!.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before its first line; stderr:\n${err}`));
    });
  });
}

/** How the child ended: its signal, else its exit code (at once when it already has). */
export function exited(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(child.signalCode ?? child.exitCode);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
}

/** Ask `fn` every `everyMs` until it gives something other than undefined. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
