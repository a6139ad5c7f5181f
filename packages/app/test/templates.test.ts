import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { formatFlowError, parseFlowFile } from "@hlconnect/engine/flows/index";
import { personsFor, propertyKey } from "@hlconnect/sandbox/batchdata/generate";
import { afterEach, describe, expect, it } from "vitest";
import { type EngineHarness, startEngineHarness } from "../../engine/test/e2e/harness.ts";
import { listTemplates, TEMPLATES_DIR } from "../src/cli/templates.ts";
import { runCli } from "./helpers/cli.ts";

const cli = (args: string[]) => runCli(args);

// biome-ignore lint/suspicious/noExplicitAny: API answers are indexed freely in assertions
type Json = any;

describe("templates/", () => {
  const all = listTemplates();

  it("holds the seed patterns, onboarding, follow-up, remediation, skip trace and the way back", () => {
    expect(all.map((t) => t.name)).toEqual([
      "batchleads-status-back",
      "batchleads-zapier",
      "contacts-create-or-update",
      "follow-up-stage",
      "notes-and-tags",
      "onboarding-new-contact",
      "remediation-compliance",
      "skip-trace-new-contacts",
      "tasks-with-status",
    ]);
  });

  for (const t of all) {
    it(`${t.name}: a valid flow, named after its file, explained by its leading comment`, () => {
      const parsed = parseFlowFile(readFileSync(t.file, "utf8"), t.file);
      expect(parsed.errors.map(formatFlowError)).toEqual([]);
      expect(parsed.flow!.id).toBe(t.name); // so POST /hooks/NAME is the template's name
      expect(t.explanation.length).toBeGreaterThan(120);
    });
  }
});

describe("hlconnect templates", () => {
  it("lists every template with what it does, as a table or JSON", async () => {
    const table = await cli(["templates", "list"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+WHAT IT DOES/);
    expect(table.stdout).toMatch(
      /skip-trace-new-contacts\s+New HighLevel contact without a phone -> skip trace/,
    );
    const json = JSON.parse((await cli(["templates", "list", "--json"])).stdout) as Array<{
      name: string;
      explanation: string;
    }>;
    expect(json).toHaveLength(listTemplates().length);
    expect(json.find((t) => t.name === "batchleads-zapier")!.explanation).toMatch(/Webhooks by Zapier/);
  });

  it("copies one into a flows folder, valid there, and never overwrites without --force", async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "hl-templates-")), "flows");
    const r = await cli(["templates", "use", "skip-trace-new-contacts", "--out", dir]);
    expect(r.code).toBe(0);
    const file = path.join(dir, "skip-trace-new-contacts.yaml");
    expect(r.stdout).toContain(`wrote ${file}`);
    const text = readFileSync(file, "utf8");
    expect(parseFlowFile(text, file).errors).toEqual([]);
    // The editor's schema line points at this install's schema from the new place.
    const schema = /\$schema=(\S+)/.exec(text)![1]!;
    expect(path.resolve(dir, schema)).toBe(path.resolve(TEMPLATES_DIR, "../docs/flow.schema.json"));
    const again = await cli(["templates", "use", "skip-trace-new-contacts", "--out", dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists; pass --force/);
    expect(
      (await cli(["templates", "use", "skip-trace-new-contacts.yaml", "--out", dir, "--force"])).code,
    ).toBe(0);
    const typo = await cli(["templates", "use", "skip-trace", "--out", dir]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/no template "skip-trace". Did you mean "skip-trace-new-contacts"/);
  });
});

describe("templates running against the sandbox", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const template = (name: string) => readFileSync(path.join(TEMPLATES_DIR, `${name}.yaml`), "utf8");
  const api = async (p: string, init: { method?: string; body?: unknown } = {}) => {
    const info = h!.sandbox.info;
    const res = await fetch(`${info.baseUrl}${p}`, {
      method: init.method ?? "GET",
      headers: {
        authorization: `Bearer ${info.locationToken}`,
        version: "2021-07-28",
        ...(init.body ? { "content-type": "application/json" } : {}),
      },
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    });
    return (await res.json()) as Json;
  };
  /** Post to the flow's hook and wait for the run it starts. */
  async function post(flowId: string, payload: unknown) {
    const secret = await h!.engine.store.getFlowHookSecret(flowId);
    const before = (await h!.engine.store.listRuns({ flowId })).runs.length;
    const r = await h!.engine.receiveFlowHook(flowId, secret, payload);
    expect(r.accepted).toBe(true);
    for (let i = 0; i < 400; i++) {
      const runs = (await h!.engine.store.listRuns({ flowId })).runs;
      if (runs.length > before) return h!.settle(runs[0]!.id);
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error("no run");
  }
  const contactByEmail = async (email: string) =>
    (
      await api(
        `/contacts/search/duplicate?locationId=${h!.sandbox.info.locationId}&email=${encodeURIComponent(email)}`,
      )
    ).contact;

  it("batchleads-zapier: contact, tags added, note once, task only on a hot status change, DND for litigators", async () => {
    h = await startEngineHarness();
    expect((await h.engine.saveFlow(template("batchleads-zapier"), "batchleads-zapier.yaml")).errors).toEqual(
      [],
    );
    await h.engine.start();
    const loc = h.sandbox.info.locationId;
    await api("/contacts/", {
      method: "POST",
      body: { locationId: loc, email: "mary.williams72@example.com", tags: ["vip"] },
    });
    const statusPost = {
      event: "Property Status Updated",
      property_address: "6568 Hillcrest Rd",
      property_city: "Orlando",
      property_state: "FL",
      property_zip: "32819",
      first_name: "Mary",
      last_name: "Williams",
      email: "Mary.Williams72@example.com",
      phone_1: "7132401001",
      phone_1_dnc: "Yes",
      phone_1_type: "Mobile",
      phone_2: "(713) 240-1002",
      phone_2_dnc: "No",
      phone_2_type: "Landline",
      phone_3: "713.240.1003",
      phone_3_dnc: "No",
      phone_3_type: "Mobile",
      status: "Hot",
      tag_names: "pre-foreclosure, High Equity",
      list: "Vacant Atlanta",
      notes: "Motivated, call after 5",
      litigator: "No",
      opt_out: "No",
    };
    const first = await post("batchleads-zapier", statusPost);
    expect(first.status).toBe("succeeded");
    const c = await contactByEmail("mary.williams72@example.com");
    expect(c.phone).toBe("+17132401003"); // the callable mobile, not the DNC one
    expect(c.tags).toEqual(
      expect.arrayContaining(["vip", "pre-foreclosure", "high equity", "vacant atlanta", "batchleads"]),
    );
    expect(c.address1).toBe("6568 Hillcrest Rd");
    const notes = () => api(`/contacts/${c.id}/notes`).then((r) => r.notes.map((n: Json) => n.body));
    const tasks = () => api(`/contacts/${c.id}/tasks`).then((r) => r.tasks.map((t: Json) => t.title));
    expect(await notes()).toEqual(["Motivated, call after 5"]);
    expect(await tasks()).toEqual(["Call Mary Williams about 6568 Hillcrest Rd"]);

    // The same lead posted by another trigger: nothing new to note, no task (not a status change).
    const second = await post("batchleads-zapier", { ...statusPost, event: "Property Added to a List" });
    expect(second.status).toBe("succeeded");
    expect(await notes()).toHaveLength(1);
    expect(await tasks()).toHaveLength(1);

    // A litigator: DND, and no call task even for a hot status change.
    await post("batchleads-zapier", {
      ...statusPost,
      email: "lit@example.com",
      phone_3: "7132401004",
      litigator: "Yes",
      notes: "",
    });
    const lit = await contactByEmail("lit@example.com");
    expect(lit.dnd).toBe(true);
    expect((await api(`/contacts/${lit.id}/tasks`)).tasks).toEqual([]);

    // No email and every phone DNC: nothing to match on, so nothing is created.
    const skipped = await post("batchleads-zapier", {
      ...statusPost,
      email: "",
      phone_2_dnc: "Yes",
      phone_3_dnc: "Yes",
    });
    expect(skipped.status).toBe("skipped");
  });

  it("batchleads-zapier: a second property of an owner is a note on the owner's contact, whose address stays", async () => {
    h = await startEngineHarness();
    expect((await h.engine.saveFlow(template("batchleads-zapier"), "batchleads-zapier.yaml")).errors).toEqual(
      [],
    );
    await h.engine.start();
    const first = {
      event: "Property Added to a List",
      property_address: "100 Owner St",
      property_city: "Houston",
      property_state: "TX",
      property_zip: "77002",
      first_name: "Olga",
      last_name: "Owner",
      email: "olga@example.com",
      phone_1: "7132405001",
      phone_1_type: "Mobile",
      status: "New",
      list: "Tired Landlords",
    };
    expect((await post("batchleads-zapier", first)).status).toBe("succeeded");
    // Her second property, posted by phone only (no email): the same owner.
    const second = { ...first, property_address: "200 Second Ave", email: "", status: "Follow Up" };
    expect((await post("batchleads-zapier", second)).status).toBe("succeeded");
    expect((await post("batchleads-zapier", second)).status).toBe("succeeded"); // the same post again
    const c = await contactByEmail("olga@example.com");
    expect(c.address1).toBe("100 Owner St");
    const notes = (await api(`/contacts/${c.id}/notes`)).notes.map((n: Json) => n.body as string);
    expect(notes).toEqual([
      expect.stringMatching(/^Property: 200 Second Ave, Houston, TX 77002 \| Owner: Olga Owner/),
    ]);
    const all = await api(`/contacts/?locationId=${h.sandbox.info.locationId}&query=olga`);
    expect(all.contacts).toHaveLength(1);
  });

  it("contacts-create-or-update and notes-and-tags: one contact, tags added, the same note never twice", async () => {
    h = await startEngineHarness();
    for (const name of ["contacts-create-or-update", "notes-and-tags"]) {
      expect((await h.engine.saveFlow(template(name), `${name}.yaml`)).errors).toEqual([]);
    }
    await h.engine.start();
    const lead = {
      first_name: "Ann",
      last_name: "Lee",
      email: "ann.lee@example.com",
      phone: "not a phone",
      address: "1 Oak St",
      zip: "77002",
      tags: "Hot",
    };
    expect((await post("contacts-create-or-update", lead)).status).toBe("succeeded");
    expect((await post("contacts-create-or-update", { ...lead, city: "Houston" })).status).toBe("succeeded");
    const c = await contactByEmail("ann.lee@example.com");
    expect(c).toMatchObject({ firstName: "Ann", city: "Houston", tags: ["hot", "batchleads"] });
    expect(c.phone).toBeUndefined(); // an invalid phone is left out, not fatal
    const update = { email: "ann.lee@example.com", tags: "follow up", notes: "Asked for a cash offer" };
    expect((await post("notes-and-tags", update)).status).toBe("succeeded");
    expect((await post("notes-and-tags", update)).status).toBe("succeeded");
    const again = await contactByEmail("ann.lee@example.com");
    expect(again.tags).toEqual(["hot", "batchleads", "follow up"]);
    expect((await api(`/contacts/${c.id}/notes`)).notes.map((n: Json) => n.body)).toEqual([
      "Asked for a cash offer",
    ]);
  });

  it("batchleads-status-back: a stage change in HighLevel is posted to the Zapier hook with BatchLeads' status", async () => {
    h = await startEngineHarness();
    const loc = h.sandbox.info.locationId;
    const { pipelines } = await api(`/opportunities/pipelines?locationId=${loc}`);
    const pipeline = pipelines[0];
    const hook = `${h.sandbox.info.baseUrl}/zapier/hooks/catch/7/status/`;
    const source = template("batchleads-status-back")
      .replace("YOUR_PIPELINE_ID", pipeline.id)
      .replace("https://hooks.zapier.com/hooks/catch/YOUR/HOOK/", hook);
    expect((await h.engine.saveFlow(source, "b.yaml")).errors).toEqual([]);
    const { contact } = await api("/contacts/", {
      method: "POST",
      body: {
        locationId: loc,
        firstName: "Mary",
        lastName: "Williams",
        address1: "6568 Hillcrest Rd",
        postalCode: "32819",
        tags: ["batchleads"],
      },
    });
    const { opportunity } = await api("/opportunities/", {
      method: "POST",
      body: {
        locationId: loc,
        pipelineId: pipeline.id,
        pipelineStageId: pipeline.stages[0].id,
        contactId: contact.id,
        name: "Hillcrest",
        status: "open",
      },
    });
    expect((await h.engine.pollNow("batchleads-status-back")).firstPoll).toBe(true);
    const contacted = pipeline.stages.find((s: Json) => s.name === "Contacted");
    await api(`/opportunities/${opportunity.id}`, { method: "PUT", body: { pipelineStageId: contacted.id } });
    await h.engine.start();
    const moved = await h.engine.pollNow("batchleads-status-back");
    expect(moved.runs).toHaveLength(1);
    expect((await h.settle(moved.runs[0]!.id)).status).toBe("succeeded");
    expect(h.sandbox.caughtHooks().map((x) => x.body)).toEqual([
      expect.objectContaining({
        "Property Address": "6568 Hillcrest Rd",
        "First Name": "Mary",
        "Lead Status": "Follow Up",
        "HighLevel Contact ID": contact.id,
      }),
    ]);
  });

  it("skip-trace-new-contacts: a new contact without a phone gets one from BatchData, and a note", async () => {
    h = await startEngineHarness();
    process.env.BATCHDATA_BASE_URL = `${h.sandbox.info.baseUrl}/batchdata`;
    process.env.BATCHDATA_TOKEN = h.sandbox.info.batchDataToken;
    expect((await h.engine.saveFlow(template("skip-trace-new-contacts"), "s.yaml")).errors).toEqual([]);
    await h.engine.start();
    // An address the (deterministic) emulation answers with a callable number, for the harness's seed.
    let street = "";
    for (let i = 1; !street; i++) {
      const persons = personsFor(
        11,
        propertyKey({ propertyAddress: { street: `${i} Pine St`, zip: "77002" } })!,
      );
      if (persons.some((p) => p.phones.some((x) => !x.dnc && !x.tcpa)) && !persons.some((p) => p.litigator))
        street = `${i} Pine St`;
    }
    const loc = h.sandbox.info.locationId;
    const { contact } = await api("/contacts/", {
      method: "POST",
      body: { locationId: loc, firstName: "Nophone", address1: street, postalCode: "77002" },
    });
    let run: Json;
    for (let i = 0; i < 400 && !run; i++) {
      run = (await h.engine.store.listRuns({ flowId: "skip-trace-new-contacts" })).runs[0];
      if (!run) await new Promise((res) => setTimeout(res, 25));
    }
    const done = await h.settle(run.id);
    expect(done.status).toBe("succeeded");
    const c = (await api(`/contacts/${contact.id}`)).contact;
    expect(c.phone).toMatch(/^\+1\d{10}$/);
    expect(c.tags).toContain("skip-traced");
    const notes = (await api(`/contacts/${contact.id}/notes`)).notes.map((n: Json) => n.body);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^Skip trace \(BatchData\): \+1/);
    expect(notes[0]).toContain(c.phone);
  });
});
