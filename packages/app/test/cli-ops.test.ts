import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, sandboxEnv } from "./helpers/cli.ts";

const SEED = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, "../../../specs/catalog/seed-operations.json"), "utf8"),
) as { operations: Array<{ name: string; kind: string }> };

const cli = runCli;

describe("hlconnect ops", () => {
  let sandbox: Sandbox;
  let env: Record<string, string>;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, seed: 5 });
    env = sandboxEnv(sandbox);
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it("ops list --json holds every seed operation by its seed name, plus the extras", async () => {
    const r = await cli(["ops", "list", "--json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{
      key: string;
      name: string;
      kind: string;
      category: string;
      description: string;
    }>;
    for (const op of SEED.operations) {
      expect(
        rows.some((x) => x.name === op.name && x.kind === op.kind),
        op.name,
      ).toBe(true);
    }
    expect(rows.length).toBeGreaterThan(124);
    for (const row of rows) {
      expect(row).toEqual(
        expect.objectContaining({
          key: expect.any(String),
          category: expect.any(String),
          description: expect.any(String),
        }),
      );
    }
    const calendars = JSON.parse(
      (await cli(["ops", "list", "--json", "--category", "Calendars & Appointments"])).stdout,
    ) as unknown[];
    expect(calendars.length).toBeGreaterThanOrEqual(34);
  });

  it("ops describe shows inputs with labels, output, scopes and example", async () => {
    const r = await cli(["ops", "describe", "highlevel.contacts.tasks.create", "--json"]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.scopes).toEqual(["contacts.write"]);
    expect(d.input.properties.dueDate.label).toBe("Due");
    expect(d.input.required).toEqual(expect.arrayContaining(["contactId", "title", "dueDate"]));
    expect(d.example.title).toBeTruthy();
    const bySeedName = await cli(["ops", "describe", "Create Contact Task", "--json"]);
    expect(JSON.parse(bySeedName.stdout).key).toBe("highlevel.contacts.tasks.create");
    // Without --json: a readable page, one line per input with whether it is required.
    const text = await cli(["ops", "describe", "Create Contact Task"]);
    expect(text.stdout).toMatch(/^Create Contact Task {2}\(highlevel\.contacts\.tasks\.create\)/);
    expect(text.stdout).toMatch(/^ {2}dueDate +required +datetime +Due$/m);
    expect(text.stdout).toMatch(/^Scopes: contacts\.write$/m);
    expect(() => JSON.parse(text.stdout)).toThrow();
  });

  it("ops run validates the input, runs it, and prints the output", async () => {
    const created = await cli(
      [
        "ops",
        "run",
        "highlevel.contacts.create",
        "--input",
        JSON.stringify({ firstName: "Cli", phone: "(713) 555-0188", tags: "Hot, Seller " }),
      ],
      env,
    );
    expect(created.stderr).toBe("");
    const contact = JSON.parse(created.stdout).contact;
    expect(contact.phone).toBe("+17135550188");
    expect(contact.tags).toEqual(["hot", "seller"]);

    const bad = await cli(
      ["ops", "run", "highlevel.contacts.create", "--input", '{"firstName":"x","phone":"12"}'],
      env,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/phone: Phone "12" is not a valid phone number/);

    const example = await cli(["ops", "run", "highlevel.contacts.find", "--example", "--json"], env);
    expect(example.stderr).toBe("");
    expect(example.code).toBe(0);
    expect(JSON.parse(example.stdout).found).toBe(true);
  });

  it("ops poll keeps its cursor in --state: first poll emits nothing, the next one the new contact", async () => {
    const state = path.join(mkdtempSync(path.join(tmpdir(), "hlc-poll-")), "cursor.json");
    const first = JSON.parse(
      (await cli(["ops", "poll", "highlevel.contacts.new", "--state", state], env)).stdout,
    );
    expect(first).toMatchObject({ items: [], firstPoll: true, requests: 1 });
    await cli(
      [
        "ops",
        "run",
        "highlevel.contacts.create",
        "--input",
        '{"firstName":"Polled","email":"polled@example.com"}',
      ],
      env,
    );
    const second = JSON.parse(
      (await cli(["ops", "poll", "highlevel.contacts.new", "--state", state], env)).stdout,
    );
    expect(second.items.map((c: { email: string }) => c.email)).toEqual(["polled@example.com"]);
    const third = JSON.parse(
      (await cli(["ops", "poll", "highlevel.contacts.new", "--state", state], env)).stdout,
    );
    expect(third).toMatchObject({ items: [], requests: 1 });
  });
});
