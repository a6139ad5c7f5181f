// `hlconnect connections` with several connections, run as a user would against a sandbox: the first
// added is marked the default, removing it names the next one, the same token for the same location is
// refused unless --allow-duplicate, a PIT connection reads its company id from its location (or warns
// that users search needs one), `connections edit --company-id` sets it, and users search on a
// connection without one says where to set it (while the client keeps its generic words for others).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createContext, getEntry, pollEntry, runEntry } from "@hlconnect/catalog";
import { HighLevelClient } from "@hlconnect/client";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.ts";

const SECRET = "cli-connections-test-passphrase";
const NO_COMPANY_HELP =
  "this connection has no company id: add it with `hlconnect connections edit ID --company-id ...` " +
  "or in the web app's Connections page";
// Several CLI runs per test: generous deadlines for a loaded machine (nothing here measures time).
const SLOW = 180_000;

let sandbox: Sandbox;
let dataDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dataDir = mkdtempSync(path.join(tmpdir(), "hlc-cli-conn-"));
  // No HIGHLEVEL_* token variables: every command must work from the data dir alone.
  env = { HLCONNECT_SECRET: SECRET, HIGHLEVEL_BASE_URL: sandbox.info.baseUrl, HIGHLEVEL_TOKEN: "" };
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli([...args, "--data", dataDir], env);
const addedId = (stdout: string) => /added connection (\S+)/.exec(stdout)?.[1] as string;
interface Listed {
  id: string;
  label: string;
  default?: boolean;
  companyId?: string;
}
async function listed(): Promise<Listed[]> {
  const r = await cli("connections", "list", "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Listed[];
}

describe("hlconnect connections", () => {
  let first: string;
  let second: string;

  it(
    "marks the first added the default, refuses the same token twice, and hands the default on when removed",
    async () => {
      const token = sandbox.info.locationToken;
      const location = sandbox.info.locationId;
      const a = await cli("connections", "add", "--token", token, "--location", location, "--label", "First");
      expect(a.code, a.stderr).toBe(0);
      first = addedId(a.stdout);
      expect(a.stdout).toContain("it is the default connection: flows that name no connection use it");
      // The token may read its location: its company id is recorded, and nothing is said to be missing.
      expect(a.stdout).toContain(`company id ${sandbox.info.companyId} (read from the location)`);
      expect(a.stdout).not.toContain("no company id");

      // The same token for the same location: refused, the existing connection named, nothing added.
      const again = await cli("connections", "add", "--token", token, "--location", location);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`already connection ${first} ("First")`);
      expect(again.stderr).toContain("--allow-duplicate");
      expect(again.stderr + again.stdout).not.toContain(token);
      expect((await listed()).map((c) => c.id)).toEqual([first]);

      // Asked for: a second connection, which is not the default.
      const b = await cli(
        "connections",
        "add",
        "--token",
        token,
        "--location",
        location,
        "--label",
        "Second",
        "--allow-duplicate",
      );
      expect(b.code, b.stderr).toBe(0);
      second = addedId(b.stdout);
      expect(second).not.toBe(first);
      expect(b.stdout).toContain(`keep using the default, ${first} ("First")`);

      const table = await cli("connections", "list");
      expect(table.code, table.stderr).toBe(0);
      const rows = table.stdout.split("\n");
      expect(rows.find((r) => r.startsWith(first))).toMatch(/First \(default\)$/);
      expect(rows.find((r) => r.startsWith(second))).toMatch(/Second$/);
      expect((await listed()).map((c) => [c.id, c.default === true])).toEqual([
        [first, true],
        [second, false],
      ]);

      // Removing the default says which connection flows naming none use now.
      const removed = await cli("connections", "remove", first);
      expect(removed.code, removed.stderr).toBe(0);
      expect(removed.stdout).toContain(`removed connection ${first} ("First")`);
      expect(removed.stdout).toContain(`the default connection is now ${second} ("Second")`);
      expect((await listed()).map((c) => [c.id, c.default === true])).toEqual([[second, true]]);
    },
    SLOW,
  );

  it(
    "checks --company-id, warns when no company id is known, and sets it with connections edit",
    async () => {
      const bad = await cli(
        "connections",
        "add",
        "--token",
        sandbox.info.locationToken,
        "--location",
        sandbox.info.otherLocationId,
        "--company-id",
        "not an id",
      );
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--company-id: "not an id" is not a company id');

      // A location the token cannot read: kept (HighLevel did not refuse the token), company id unknown.
      const unread = await cli(
        "connections",
        "add",
        "--token",
        sandbox.info.locationToken,
        "--location",
        "loc-not-in-the-sandbox",
      );
      expect(unread.code, unread.stderr).toBe(0);
      const id = addedId(unread.stdout);
      expect(unread.stdout).toContain(`warning: no company id is known for connection ${id}`);
      expect(unread.stdout).toContain("users search needs it: add --company-id");
      expect(unread.stdout).toContain(`hlconnect connections edit ${id} --company-id COMPANY_ID`);
      expect((await listed()).find((c) => c.id === id)?.companyId).toBeUndefined();

      const set = await cli("connections", "edit", id, "--company-id", " comp-42 ");
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toContain(
        `connection ${id} ("HighLevel location loc-not-in-the-sandbox"): company id comp-42`,
      );
      expect((await listed()).find((c) => c.id === id)?.companyId).toBe("comp-42");
      const wrong = await cli("connections", "edit", id, "--company-id", "a/b");
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('--company-id: "a/b" is not a company id');
      const nothing = await cli("connections", "edit", id);
      expect(nothing.code).toBe(2);
      expect(nothing.stderr).toContain("say what to change");
      const unknown = await cli("connections", "edit", "con_nope", "--label", "X");
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no connection "con_nope"');

      // Given, and different from the location's: said, since users search would ask the wrong agency.
      const mismatch = await cli(
        "connections",
        "add",
        "--token",
        sandbox.createToken({ locationId: sandbox.info.otherLocationId }),
        "--location",
        sandbox.info.otherLocationId,
        "--company-id",
        "comp-other",
      );
      expect(mismatch.code, mismatch.stderr).toBe(0);
      expect(mismatch.stdout).toContain(`belongs to company ${sandbox.info.companyId}, not comp-other`);
    },
    SLOW,
  );

  it(
    "users search on a connection without a company id says where to set it",
    async () => {
      const cleared = await cli("connections", "edit", second, "--company-id", "");
      expect(cleared.code, cleared.stderr).toBe(0);
      expect(cleared.stdout).toContain("no company id (users search needs one)");
      const search = () =>
        cli("ops", "run", "highlevel.users.search", "--input", "{}", "--connection", second, "--json");
      const refused = await search();
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(NO_COMPANY_HELP);

      const set = await cli("connections", "edit", second, "--company-id", sandbox.info.companyId);
      expect(set.code, set.stderr).toBe(0);
      const found = await search();
      expect(found.code, found.stderr).toBe(0);
      expect((JSON.parse(found.stdout) as { users: unknown[] }).users.length).toBeGreaterThan(0);
    },
    SLOW,
  );
});

describe("the missing company id of users search", () => {
  const client = () =>
    new HighLevelClient({
      credentials: sandbox.info.locationToken,
      baseUrl: sandbox.info.baseUrl,
      locationId: sandbox.info.locationId,
    });

  it("is said by the entry's read and its polls, keeping the request builder's words", async () => {
    const entry = getEntry("highlevel.users.search");
    const ctx = createContext({ client: client() });
    await expect(runEntry(entry, ctx, {})).rejects.toThrow(NO_COMPANY_HELP);
    await expect(runEntry(entry, ctx, {})).rejects.toThrow('missing required query parameter "companyId"');
    await expect(pollEntry(entry, ctx, {}, undefined)).rejects.toThrow(NO_COMPANY_HELP);
    // With the company id the same read works.
    const withCompany = createContext({ client: client(), companyId: sandbox.info.companyId });
    expect(await runEntry(entry, withCompany, {})).toHaveProperty("users");
  });

  it("is the client's generic message for a caller outside the catalog", async () => {
    // Called by key, without the companyId its typed parameters require (as a raw `api call` would).
    const search = () => client().callByKey("search-users", {});
    await expect(search()).rejects.toThrow('search-users: missing required query parameter "companyId"');
    await expect(search()).rejects.not.toThrow("connections edit");
  });
});
