// Running the `hlconnect` bin as a user would, for the tests of the commands: its exit code and both
// outputs, whatever the code (a refusal is an answer to check, not a thrown error).
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { Sandbox } from "@hlconnect/sandbox";

export const BIN = path.resolve(import.meta.dirname, "../../bin/hlconnect.mjs");

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `hlconnect ...args` with this process's environment plus `env`; `nodeArgs` go before the bin. */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  nodeArgs: string[] = [],
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...nodeArgs, BIN, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as CliResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The variables that point the CLI at a sandbox's location (a private integration token). */
export function sandboxEnv(sandbox: Sandbox): Record<string, string> {
  return {
    HIGHLEVEL_BASE_URL: sandbox.info.baseUrl,
    HIGHLEVEL_TOKEN: sandbox.info.locationToken,
    HIGHLEVEL_LOCATION_ID: sandbox.info.locationId,
  };
}
