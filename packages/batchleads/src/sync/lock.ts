// One real import at a time per state file. Two imports writing one state would each drop the other's
// staging (beginImport), and both would write the same contacts: a CLI import started while the web app
// imports (or a second CLI import) is refused instead. The lock is a file next to the state naming its
// holder; it goes away when the import ends or the process exits, and a lock left by a process that died
// (SIGKILL, a crash, a reboot) is taken over: its pid is gone, or its heartbeat stopped.
import { randomBytes } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import path from "node:path";

export interface LockHolder {
  pid: number;
  host: string;
  /** What holds it, for the refusal message ("hlconnect import batchleads export.csv", "web import imp_x"). */
  what: string;
  startedAt: string;
  token: string;
}

/** Another import holds the state file. */
export class ImportLockedError extends Error {
  constructor(
    readonly stateFile: string,
    readonly holder: LockHolder,
  ) {
    super(
      `another import is running on the import state ${stateFile} (${holder.what}, process ${holder.pid}` +
        `${holder.host !== hostname() ? ` on ${holder.host}` : ""}, since ${holder.startedAt}): imports run one at a time; ` +
        "run this one again when it has finished",
    );
    this.name = "ImportLockedError";
  }
}

export interface ImportLock {
  readonly file: string;
  release(): void;
}

/**
 * How often the holder touches its lock, and how old a touch may be before the lock counts as abandoned:
 * soon for a holder on another machine (we cannot see its process), late for a live pid here (only a pid
 * reused by another program after the holder died leaves a live pid without heartbeats).
 */
const HEARTBEAT_MS = 15_000;
const STALE_REMOTE_MS = 2 * 60_000;
const STALE_LOCAL_MS = 10 * 60_000;

/** Tokens of the locks this process holds: a lock with our pid that is not among them is a dead namesake's. */
const held = new Set<string>();

export function lockFileOf(stateFile: string): string {
  return `${stateFile}.lock`;
}

/** Take the lock of `stateFile` for this process, or throw ImportLockedError naming the live holder. */
export function acquireImportLock(stateFile: string, what: string): ImportLock {
  const file = lockFileOf(stateFile);
  mkdirSync(path.dirname(file), { recursive: true });
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    what,
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString("hex"),
  };
  // Twice at most: a stale lock is moved aside once, then the create must win or someone else did.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (create(file, me)) return hold(file, me);
    const holder = liveHolder(file);
    if (holder) throw new ImportLockedError(stateFile, holder);
    removeStale(file);
  }
  const holder = readHolder(file);
  if (holder) throw new ImportLockedError(stateFile, holder);
  throw new Error(`the import lock ${file} could not be taken`);
}

/** The live holder of `stateFile`'s lock, if any (a stale lock counts as free). */
export function importLockHolder(stateFile: string): LockHolder | undefined {
  return liveHolder(lockFileOf(stateFile));
}

function create(file: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx", 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return true;
}

function hold(file: string, me: LockHolder): ImportLock {
  held.add(me.token);
  const beat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // Removed by hand: nothing to keep fresh.
    }
  }, HEARTBEAT_MS);
  beat.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(beat);
    held.delete(me.token);
    process.off("exit", release);
    // Only our own lock: if it was taken over meanwhile (we looked dead), the new holder keeps it.
    if (readHolder(file)?.token === me.token) rmSync(file, { force: true });
  };
  // process.exit() and an uncaught error run "exit" handlers; a SIGKILL does not (the lock goes stale).
  process.on("exit", release);
  return { file, release };
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, "utf8")) as Partial<LockHolder>;
    if (typeof h.pid !== "number" || typeof h.token !== "string") return undefined;
    return {
      pid: h.pid,
      host: String(h.host ?? ""),
      what: String(h.what ?? "an import"),
      startedAt: String(h.startedAt ?? "an unknown time"),
      token: h.token,
    };
  } catch {
    // Missing, or half written by a process killed between create and write: no live holder.
    return undefined;
  }
}

function liveHolder(file: string): LockHolder | undefined {
  const holder = readHolder(file);
  if (!holder) {
    // A lock file being written this instant reads empty: only an old unreadable one is free.
    return ageMs(file) < 5_000
      ? { pid: 0, host: hostname(), what: "an import starting", startedAt: "just now", token: "" }
      : undefined;
  }
  if (holder.host === hostname()) {
    if (holder.pid === process.pid) return held.has(holder.token) ? holder : undefined;
    if (!pidAlive(holder.pid)) return undefined;
    return ageMs(file) < STALE_LOCAL_MS ? holder : undefined;
  }
  // Another machine sharing the folder: the heartbeat decides.
  return ageMs(file) < STALE_REMOTE_MS ? holder : undefined;
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, as another user's process.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Move a stale lock aside; put it back if what we moved turns out to be a fresh lock someone just took. */
function removeStale(file: string): void {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.stale`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  if (liveHolder(aside)) {
    try {
      renameSync(aside, file);
    } catch {
      // Someone created a new lock meanwhile: theirs stands, the moved one is dropped.
    }
  }
  rmSync(aside, { force: true });
}
