// Where the import's memory lives, and under which name. It belongs to the user, not to the folder a
// command happens to run in: an import run from another folder must not forget what it wrote (and then
// duplicate every lead HighLevel cannot match). Inside the file, what was written is kept per HighLevel
// account, named by the API base URL and the location, so a sandbox and the real account never mix.
import { homedir } from "node:os";
import path from "node:path";

/** The user's data dir for hlconnect: XDG_DATA_HOME (or ~/.local/share), ~/Library/Application Support, %LOCALAPPDATA%. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.HLCONNECT_HOME?.trim()) return path.resolve(env.HLCONNECT_HOME.trim());
  if (platform === "win32") {
    return path.join(env.LOCALAPPDATA?.trim() || path.join(homedir(), "AppData", "Local"), "hlconnect");
  }
  if (platform === "darwin") return path.join(homedir(), "Library", "Application Support", "hlconnect");
  return path.join(env.XDG_DATA_HOME?.trim() || path.join(homedir(), ".local", "share"), "hlconnect");
}

export function defaultStateFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userDataDir(env), "batchleads.db");
}

/** The name one account's records have in the state: the API base URL and the location. */
export function stateScope(baseUrl: string | undefined, locationId: string): string {
  const base = baseUrl?.trim().replace(/\/+$/, "").toLowerCase();
  return base ? `${base}#${locationId}` : locationId;
}
