import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, sandboxEnv } from "./helpers/cli.ts";

// No token from the caller's shell: a test that wants one passes it.
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { HIGHLEVEL_TOKEN: "", ...env });

describe("hlconnect api", () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, seed: 7 });
    env = sandboxEnv(sandbox);
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it("lists all 576 v2 operations with method, path, Version, scopes and deprecation", async () => {
    const r = await cli(["api", "list", "--json"]);
    expect(r.code).toBe(0);
    const ops = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(ops).toHaveLength(576);
    const getContact = ops.find((o) => o.operationId === "get-contact");
    expect(getContact).toMatchObject({
      method: "GET",
      path: "/contacts/{contactId}",
      version: "2021-07-28",
      scopes: ["contacts.readonly"],
      deprecated: false,
    });
    expect(ops.filter((o) => o.deprecated).length).toBe(19);
    expect(ops.find((o) => o.operationId === "get-calendars")?.version).toBe("2021-04-15");
  });

  it("calls an operation against the sandbox and prints its JSON answer", async () => {
    const created = await cli(
      [
        "api",
        "call",
        "create-contact",
        "--body",
        JSON.stringify({ locationId: sandbox.info.locationId, firstName: "Ada", email: "ada@example.com" }),
      ],
      env,
    );
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const id = (JSON.parse(created.stdout) as { contact: { id: string } }).contact.id;
    const got = await cli(["api", "call", "get-contact", "--params", JSON.stringify({ contactId: id })], env);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout).contact).toMatchObject({ id, firstName: "Ada", email: "ada@example.com" });
  });

  it("explains bad input and failures and exits non-zero, without printing the token", async () => {
    const noToken = await cli(["api", "call", "get-contact", "--params", '{"contactId":"x"}']);
    expect(noToken.code).not.toBe(0);
    expect(noToken.stderr).toMatch(/HIGHLEVEL_TOKEN is not set/);

    const badJson = await cli(["api", "call", "get-contact", "--params", "{contactId:"], env);
    expect(badJson.code).not.toBe(0);
    expect(badJson.stderr).toMatch(/--params is not valid JSON/);

    const unknown = await cli(["api", "call", "get-contactz"], env);
    expect(unknown.stderr).toMatch(/Unknown operation "get-contactz". Did you mean "get-contact"/);

    const wrongToken = await cli(["api", "call", "get-contact", "--params", '{"contactId":"x"}'], {
      ...env,
      HIGHLEVEL_TOKEN: "pit-00000000-1111-2222-3333-444444444444",
    });
    expect(wrongToken.code).not.toBe(0);
    expect(wrongToken.stderr).toMatch(/get-contact failed with 401/);
    expect(wrongToken.stderr).not.toContain("pit-00000000-1111-2222-3333-444444444444");

    const closedPort = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const port = (srv.address() as AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    const dead = await cli(["api", "call", "get-contact", "--params", '{"contactId":"x"}'], {
      ...env,
      HIGHLEVEL_BASE_URL: `http://127.0.0.1:${closedPort}`,
    });
    expect(dead.code).not.toBe(0);
    expect(dead.stderr).toMatch(
      /hlconnect: get-contact: GET http:\/\/127\.0\.0\.1:\d+\/contacts\/x failed without an answer \(ECONNREFUSED\); nothing was sent/,
    );
  });
});
