// How other commands find the server running on a data dir: `hlconnect serve` writes its public URL
// and pid to the data dir's server.json while it runs. Needed by `connections oauth`, whose link must
// point at the server that will receive HighLevel's callback.
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const SERVER_FILE = "server.json";

export function writeServerFile(dataDir: string, url: string): void {
  const file = path.join(dataDir, SERVER_FILE);
  writeFileSync(file, `${JSON.stringify({ url, pid: process.pid })}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an older version's file may be 644
}

/** Removes the file if this process wrote it (another server may have taken the data dir over since). */
export function removeServerFile(dataDir: string): void {
  if (readServerFile(dataDir)?.pid === process.pid) rmSync(path.join(dataDir, SERVER_FILE), { force: true });
}

/** HLCONNECT_SERVER_URL, else the URL of a server whose process is still alive on this data dir. */
export function findServerUrl(dataDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.HLCONNECT_SERVER_URL?.trim();
  if (fromEnv) return fromEnv;
  const file = readServerFile(dataDir);
  return file && isAlive(file.pid) ? file.url : undefined;
}

function readServerFile(dataDir: string): { url: string; pid: number } | undefined {
  try {
    const v = JSON.parse(readFileSync(path.join(dataDir, SERVER_FILE), "utf8")) as {
      url?: unknown;
      pid?: unknown;
    };
    return typeof v.url === "string" && typeof v.pid === "number" ? { url: v.url, pid: v.pid } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
