// Every seed operation runs with `hlconnect ops run KEY --example` against a fresh sandbox, with the
// sandbox's location token and its agency token side by side (agency operations take the agency
// one). The CLI runs in this process (its `main`), so 124 runs cost no start-ups.
import { readFileSync } from "node:fs";
import path from "node:path";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.ts";

const SEED = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, "../../../specs/catalog/seed-operations.json"), "utf8"),
) as { operations: Array<{ name: string }> };

/** Run the CLI in this process with `env` added; its stdout, stderr and exit code. */
async function cli(args: string[], env: Record<string, string>) {
  const saved = { ...process.env };
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  Object.assign(process.env, env);
  process.stdout.write = ((s: string) => out.push(String(s)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => err.push(String(s)) > 0) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    await main(["node", "hlconnect", ...args]);
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    for (const k of Object.keys(env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
  const code = process.exitCode ?? 0;
  process.exitCode = undefined;
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("ops run --example with a location token and an agency token", () => {
  let sandbox: Sandbox;
  let env: Record<string, string>;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, seed: 7 });
    const i = sandbox.info;
    env = {
      HIGHLEVEL_BASE_URL: i.baseUrl,
      HIGHLEVEL_TOKEN: i.locationToken,
      HIGHLEVEL_AGENCY_TOKEN: i.agencyToken,
      HIGHLEVEL_LOCATION_ID: i.locationId,
      HIGHLEVEL_COMPANY_ID: i.companyId,
    };
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it("runs every one of the 124 seed operations", { timeout: 240_000 }, async () => {
    expect(SEED.operations).toHaveLength(124);
    const failures: string[] = [];
    for (const op of SEED.operations) {
      const r = await cli(["ops", "run", op.name, "--example", "--json"], env);
      if (r.code !== 0) failures.push(`${op.name}: ${r.stderr.trim()}`);
      else JSON.parse(r.stdout);
    }
    expect(failures).toEqual([]);
  });

  it("agency operations refuse a location token alone, naming HIGHLEVEL_AGENCY_TOKEN", async () => {
    const { HIGHLEVEL_AGENCY_TOKEN: _a, ...locationOnly } = env;
    const r = await cli(["ops", "run", "Get Company", "--example"], locationOnly);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/agency/i);
  });

  it("a location token stays a location token when HIGHLEVEL_COMPANY_ID is set without a location", async () => {
    const i = sandbox.info;
    const env2 = {
      HIGHLEVEL_BASE_URL: i.baseUrl,
      HIGHLEVEL_TOKEN: i.locationToken,
      HIGHLEVEL_COMPANY_ID: i.companyId,
    };
    const location = await cli(
      ["api", "call", "get-location", "--params", JSON.stringify({ locationId: i.locationId })],
      env2,
    );
    expect(location.stderr).toBe("");
    expect(JSON.parse(location.stdout).location.id).toBe(i.locationId);
    // An agency operation is refused before any request: the token is not taken for an agency one.
    const company = await cli(
      ["api", "call", "get-company", "--params", JSON.stringify({ companyId: i.companyId })],
      env2,
    );
    expect(company.code).not.toBe(0);
    expect(company.stderr).toMatch(/agency/i);
    // Said explicitly, the same variable holds an agency token.
    const declared = await cli(
      ["api", "call", "get-company", "--params", JSON.stringify({ companyId: i.companyId })],
      { ...env2, HIGHLEVEL_TOKEN: i.agencyToken, HIGHLEVEL_TOKEN_TYPE: "agency" },
    );
    expect(declared.stderr).toBe("");
    expect(JSON.parse(declared.stdout).company.id).toBe(i.companyId);
  });

  it("an invalid HIGHLEVEL_BASE_URL or HIGHLEVEL_TOKEN_TYPE names the variable", async () => {
    const bad = await cli(["ops", "run", "highlevel.contacts.find", "--example"], {
      ...env,
      HIGHLEVEL_BASE_URL: "services.leadconnectorhq.com",
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^hlconnect: HIGHLEVEL_BASE_URL must be an http\(s\) URL .*got "services\.leadconnectorhq\.com"/,
    );
    const type = await cli(["ops", "run", "highlevel.contacts.find", "--example"], {
      ...env,
      HIGHLEVEL_TOKEN_TYPE: "company",
    });
    expect(type.stderr).toMatch(/HIGHLEVEL_TOKEN_TYPE must be "location" or "agency", got "company"/);
  });

  it("mints a location token from the agency token when no location token is given", async () => {
    const { HIGHLEVEL_TOKEN: _t, ...agencyOnly } = env;
    const r = await cli(["ops", "run", "highlevel.contacts.find", "--example", "--json"], agencyOnly);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).found).toBe(true);
    const company = await cli(["ops", "run", "Get Company", "--example", "--json"], agencyOnly);
    expect(JSON.parse(company.stdout).company.id).toBe(sandbox.info.companyId);
  });
});
