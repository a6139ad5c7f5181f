import { execFile, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { CATALOG } from "@hlconnect/catalog";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildManifest, type Manifest, manifestCounts } from "../src/export/zapier/manifest.ts";
import { exportZapier } from "../src/export/zapier/project.ts";
import { exportable } from "../src/export/zapier/select.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const BIN = path.resolve(import.meta.dirname, "../bin/hlconnect.mjs");
const requireHere = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: the generated app is plain JavaScript
type Json = any;

/** The generated app runs on the monorepo's installed zapier-platform-core: nothing is downloaded. */
function linkNodeModules(dir: string) {
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
}

function validate(dir: string): unknown[] {
  const { compileApp, serializeApp } = requireHere("zapier-platform-core/src/tools/schema");
  const { validateAppDefinition } = requireHere("zapier-platform-schema");
  const app = requireHere(path.join(dir, "index.js"));
  return validateAppDefinition(serializeApp(compileApp(app))).errors;
}

describe("hlconnect export zapier", () => {
  let dir: string;
  let manifest: Manifest;
  let sandbox: Sandbox;

  beforeAll(async () => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), "hlc-zapier-")), "app");
    // Private Integration Token connections: every step, the agency-only ones included.
    const r = await exportZapier(dir, { auth: "token" });
    expect(r.counts.triggers).toBeGreaterThan(0);
    linkNodeModules(dir);
    manifest = JSON.parse(readFileSync(path.join(dir, "lib/manifest.json"), "utf8"));
    sandbox = await startSandbox({ port: 0, seed: 7, rateLimit: { max: 100_000, windowMs: 1000 } });
  }, 120_000);
  afterAll(async () => {
    await sandbox?.close();
  });

  it("maps every exportable catalog entry, with every seed operation among them", () => {
    const steps = [
      ...Object.values(manifest.triggers),
      ...Object.values(manifest.searches),
      ...Object.values(manifest.creates),
    ];
    const exported = new Set(steps.map((s) => s.entry));
    const want = CATALOG.filter((e) => exportable(e, { agency: true }));
    expect([...exported].sort()).toEqual(want.map((e) => e.key).sort());
    // Every seed operation is a step.
    const seeds = CATALOG.filter((e) => e.seedName);
    expect(seeds.length).toBeGreaterThanOrEqual(124);
    for (const e of seeds) expect(exported.has(e.key), e.key).toBe(true);
    // Polling triggers are triggers; actions are searches (reads) or creates, never both.
    const polling = want.filter((e) => e.kind === "trigger");
    expect(Object.keys(manifest.triggers)).toHaveLength(polling.length);
    for (const e of want.filter((x) => x.kind === "action")) {
      const places = steps.filter((s) => s.entry === e.key).map((s) => s.kind);
      expect(places, e.key).toHaveLength(1);
    }
    // The counts the docs give are the counts an export makes.
    const docs = readFileSync(path.join(ROOT, "docs/zapier.md"), "utf8");
    const c = manifestCounts(manifest);
    const oauth = manifestCounts(buildManifest());
    expect(docs).toContain(
      `**${oauth.triggers} triggers, ${oauth.searches} searches and ${oauth.creates} creates** with OAuth`,
    );
    expect(docs).toContain(
      `**${c.triggers} triggers, ${c.searches} searches and ${c.creates} creates** with \`--auth token\``,
    );
    expect(docs).toContain(`plus ${c.helpers} hidden triggers`);
    expect(manifest.searches.contacts_find?.entry).toBe("highlevel.contacts.find");
    expect(manifest.searchOrCreates.contacts_find).toMatchObject({
      search: "contacts_find",
      create: "contacts_create",
    });
  });

  it("writes one module per step, pins zapier-platform-core 19.1.0 and validates with 0 errors", () => {
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    expect(pkg.dependencies).toEqual({ "zapier-platform-core": "19.1.0" });
    for (const k of Object.keys(manifest.triggers))
      expect(existsSync(path.join(dir, `triggers/${k}.js`))).toBe(true);
    for (const k of Object.keys(manifest.helpers))
      expect(existsSync(path.join(dir, `triggers/${k}.js`))).toBe(true);
    for (const k of Object.keys(manifest.searches))
      expect(existsSync(path.join(dir, `searches/${k}.js`))).toBe(true);
    for (const k of Object.keys(manifest.creates))
      expect(existsSync(path.join(dir, `creates/${k}.js`))).toBe(true);
    expect(validate(dir)).toEqual([]);
  });

  it("validates itself offline with `npm run validate`, failing on a broken definition", async () => {
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    const script = String(pkg.scripts.validate);
    const run = (cwd: string) =>
      promisify(execFile)("sh", ["-c", script], { cwd }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
    expect(await run(dir)).toEqual({ code: 0, out: "0 schema errors\n" });
    // The same script on an app whose first trigger lost its label: Zapier's schema names it.
    const broken = path.join(dir, "broken");
    mkdirSync(broken, { recursive: true });
    writeFileSync(
      path.join(broken, "index.js"),
      'const app = require("../index.js");\n' +
        "const t = Object.values(app.triggers)[0];\n" +
        "app.triggers[t.key] = { ...t, display: { ...t.display, label: undefined } };\n" +
        "module.exports = app;\n",
    );
    const failed = await run(broken);
    expect(failed.code).toBe(1);
    expect(failed.out).toContain("label");
    rmSync(broken, { recursive: true, force: true });
  });

  it("derives fields from the catalog: dropdowns, dependent dropdowns, custom fields, dedupe ids", () => {
    const create = manifest.creates.opportunities_create!;
    const field = (key: string) => create.inputFields.find((f) => f.key === key);
    expect(field("pipelineId")?.dynamic).toBe("options_opportunities_pipelines.id.name");
    expect(field("pipelineStageId")).toMatchObject({
      dynamic: "options_opportunities_pipelines_pipelines_stages_by_pipelineId.id.name",
      dependsOn: ["pipelineId"],
    });
    expect(field("contactId")?.required).toBe(true);
    expect(field("customFields")?.dict).toBe(true);
    expect(create.customFields).toBe("opportunity");
    expect(manifest.helpers.options_opportunities_pipelines_pipelines_stages_by_pipelineId?.items).toBe(
      "pipelines[].stages",
    );
    // "Updated" triggers dedupe on id + update time: each change fires once; the record id is kept.
    const updated = manifest.triggers.contacts_updated!;
    expect(updated.dedupe).toBe("id+updated");
    expect(updated.sample.id).toMatch(/@/);
    expect(updated.sample.recordId).toBeTruthy();
    for (const t of Object.values(manifest.triggers)) expect(t.sample.id, t.key).toBeTruthy();
    expect(manifest.scopes).toContain("contacts.write");
  });

  it("the generated project's own tests run every trigger, search and create against the sandbox", async () => {
    const info = sandbox.info;
    const env = {
      ...process.env,
      HIGHLEVEL_BASE_URL: info.baseUrl,
      HIGHLEVEL_TOKEN: info.locationToken,
      HIGHLEVEL_LOCATION_ID: info.locationId,
      HIGHLEVEL_COMPANY_ID: info.companyId,
      HIGHLEVEL_AGENCY_TOKEN: info.agencyToken,
      CLIENT_ID: info.clientId,
      CLIENT_SECRET: info.clientSecret,
    };
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    const files = String(pkg.scripts.test).split(" ").slice(2);
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      // Killed before the test's own deadline, so it never outlives the test and calls a closed sandbox.
      const child = spawn(process.execPath, ["--test", "--test-reporter=tap", ...files], {
        cwd: dir,
        env,
        timeout: 280_000,
      });
      let text = "";
      child.stdout.on("data", (d) => {
        text += d;
      });
      child.stderr.on("data", (d) => {
        text += d;
      });
      child.on("close", (code) => resolve({ code, text }));
    });
    const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)`, "m").exec(out.text)?.[1] ?? -1);
    const failures = out.text.split("\n").filter((l) => /^\s*not ok/.test(l));
    expect(failures, out.text.slice(-3000)).toEqual([]);
    const steps =
      Object.keys(manifest.triggers).length +
      Object.keys(manifest.searches).length +
      Object.keys(manifest.creates).length;
    // Each step and dropdown helper is one test; plus validation, auth, custom fields and errors.
    expect(count("pass")).toBeGreaterThanOrEqual(steps + Object.keys(manifest.helpers).length);
    expect(count("fail")).toBe(0);
    expect(out.code).toBe(0);
    process.stdout.write(
      `generated app tests: ${count("pass")} passed, ${count("fail")} failed (${steps} steps)\n`,
    );
  }, 300_000);

  describe("the app in this process, through Zapier's app tester", () => {
    let app: Json;
    let tester: Json;
    const auth = () => ({
      access_token: sandbox.info.locationToken,
      locationId: sandbox.info.locationId,
      companyId: sandbox.info.companyId,
    });
    beforeAll(() => {
      process.env.HIGHLEVEL_BASE_URL = sandbox.info.baseUrl;
      app = requireHere(path.join(dir, "index.js"));
      tester = requireHere(path.join(dir, "node_modules/zapier-platform-core")).createAppTester(app);
    });
    afterAll(() => {
      delete process.env.HIGHLEVEL_BASE_URL;
    });

    it("custom fields are inputs loaded from the location and reach the contact", async () => {
      const create = app.creates.contacts_create.operation;
      const fields: Json[] = await tester(
        create.inputFields.find((f: unknown) => typeof f === "function"),
        { authData: auth(), inputData: {} },
      );
      const value = fields.find((f) => f.label === "Estimated Value");
      expect(value).toMatchObject({ key: expect.stringMatching(/^cf_/), type: "number" });
      const made: Json = await tester(create.perform, {
        authData: auth(),
        inputData: { firstName: "Custom", email: `cf-${Date.now()}@example.com`, [value.key]: "250000" },
      });
      const id = value.key.slice(3);
      expect(made.contact.customFields).toContainEqual(expect.objectContaining({ id, value: 250000 }));
    });

    it("a stage dropdown lists only the chosen pipeline's stages", async () => {
      const stages = (inputData: Record<string, string>): Promise<Json[]> =>
        tester(
          app.triggers.options_opportunities_pipelines_pipelines_stages_by_pipelineId.operation.perform,
          {
            authData: auth(),
            inputData,
          },
        );
      const pipelines: Json[] = await tester(app.triggers.options_opportunities_pipelines.operation.perform, {
        authData: auth(),
        inputData: {},
      });
      const all = await stages({});
      const mine = await stages({ pipelineId: pipelines[0].id });
      const pipelineStages = pipelines[0].stages.map((x: Json) => x.id);
      expect(mine.map((x) => x.id)).toEqual(pipelineStages);
      expect(mine.length).toBeGreaterThan(0);
      expect(all.length).toBeGreaterThanOrEqual(mine.length);
      await expect(stages({ pipelineId: "no-such-pipeline" })).rejects.toThrow(
        /no-such-pipeline.{0,3} is not in this location/,
      );
      for (const x of mine) expect(typeof x.name).toBe("string");
    });

    it("bad input is named by its label; nothing is sent", async () => {
      const before = sandbox.requests().length;
      await expect(
        tester(app.creates.contacts_tasks_create.operation.perform, {
          authData: auth(),
          inputData: { contactId: "abc", title: "Call", dueDate: "not a date" },
        }),
      ).rejects.toThrow(/check this step's fields: .*not a date/i);
      expect(sandbox.requests().slice(before)).toEqual([]);
    });

    it("a 429 becomes a ThrottledError carrying HighLevel's window as the wait", async () => {
      const tight = await startSandbox({ port: 0, seed: 3, rateLimit: { max: 1, windowMs: 60_000 } });
      process.env.HIGHLEVEL_BASE_URL = tight.info.baseUrl;
      try {
        const bundle = {
          authData: { access_token: tight.info.locationToken, locationId: tight.info.locationId },
          inputData: {},
        };
        const poll = app.triggers.contacts_new.operation.perform;
        const errors: Json[] = [];
        // One request per minute: of five polls at most two fit (the windows are fixed), whatever the timing.
        for (let i = 0; i < 5; i++) await tester(poll, bundle).catch((e: unknown) => errors.push(e));
        expect(errors.length).toBeGreaterThanOrEqual(3);
        expect(errors[0].name).toBe("ThrottledError");
        expect(JSON.parse(errors[0].message)).toMatchObject({
          delay: 60,
          message: expect.stringMatching(/rate limit/),
        });
      } finally {
        process.env.HIGHLEVEL_BASE_URL = sandbox.info.baseUrl;
        await tight.close();
      }
    });
  });

  it("--only limits the categories; OAuth 2 (the default) leaves agency-only steps out", async () => {
    const only = path.join(mkdtempSync(path.join(tmpdir(), "hlc-zapier-")), "app");
    const r = await exportZapier(only, { only: ["contacts", "Users"] });
    expect(r.categories).toEqual(["Contacts", "Users"]);
    const m: Manifest = JSON.parse(readFileSync(path.join(only, "lib/manifest.json"), "utf8"));
    for (const s of [...Object.values(m.triggers), ...Object.values(m.creates)]) {
      expect(["Contacts", "Users"]).toContain(CATALOG.find((e) => e.key === s.entry)?.category);
    }
    expect(m.searches.users_filter_by_email).toBeUndefined(); // needs an agency token
    expect(manifest.searches.users_filter_by_email?.agency).toBe(true);
    linkNodeModules(only);
    const app: Json = requireHere(path.join(only, "index.js"));
    expect(app.authentication.type).toBe("oauth2");
    expect(app.authentication.oauth2Config.autoRefresh).toBe(true);
    expect(validate(only)).toEqual([]);
    const token: Json = requireHere(path.join(dir, "index.js"));
    expect(token.authentication.type).toBe("custom");
    expect(token.authentication.fields.map((f: Json) => f.key)).toEqual([
      "access_token",
      "locationId",
      "companyId",
      "agencyToken",
    ]);
  }, 60_000);

  it("refuses a non-empty folder without --force and names the known categories for an unknown one", async () => {
    const run = promisify(execFile);
    const cli = async (args: string[]) => {
      try {
        await run(process.execPath, [BIN, ...args]);
        return { code: 0, stderr: "" };
      } catch (err) {
        const e = err as { code: number; stderr: string };
        return { code: e.code, stderr: e.stderr };
      }
    };
    const busy = mkdtempSync(path.join(tmpdir(), "hlc-zapier-"));
    mkdirSync(path.join(busy, "x"));
    writeFileSync(path.join(busy, "keep.txt"), "mine");
    const refused = await cli(["export", "zapier", busy]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/is not empty.*--force/);
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readFileSync(path.join(busy, "keep.txt"), "utf8")).toBe("mine");
    const unknown = await cli(["export", "zapier", path.join(busy, "new"), "--only", "contacts,nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown category "nope".*known: "Contacts", "Calendars & Appointments"/);
    expect(existsSync(path.join(busy, "new"))).toBe(false);
    rmSync(busy, { recursive: true, force: true });
  }, 60_000);
});
