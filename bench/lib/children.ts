// Child processes the bench started (sandboxes, servers, imports): whatever way the bench ends, a normal
// exit, an exception or Ctrl-C, none is left running.
import type { ChildProcess } from "node:child_process";

const running = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const child of running)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  running.clear();
}

export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (!hooked) {
    hooked = true;
    process.once("exit", killAll);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        killAll();
        process.exit(130);
      });
    }
  }
  return child;
}
