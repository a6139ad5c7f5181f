import { BatchDataClient } from "@hlconnect/client/batchdata";
import { personsFor, propertyKey } from "@hlconnect/sandbox/batchdata/generate";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  contactToImportRow,
  planContactUpdate,
  summarizeTrace,
  type TracedPhone,
} from "../src/entries/batchdata.ts";
import { toE164 } from "../src/fields.ts";
import { choosePrimaryPhone } from "../src/phones.ts";
import { getEntry } from "../src/registry.ts";
import { CatalogInputError, runEntry } from "../src/runtime.ts";
import { type Harness, startHarness } from "./helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: action outputs are indexed freely in assertions
type Json = any;

const SEED = 1;
const phone = (number: string, rank: number, o: Partial<TracedPhone> = {}): TracedPhone => ({
  number,
  rank,
  dnc: false,
  tcpa: false,
  ...o,
});

describe("the primary-phone rule and the merge", () => {
  const blocked = (p: TracedPhone) => p.dnc || p.tcpa;

  it("takes the lowest-ranked callable phone, a mobile preferred among callable ones", () => {
    const phones = [
      phone("+17132400001", 1, { dnc: true, type: "mobile" }),
      phone("+17132400002", 2, { type: "landline" }),
      phone("+17132400003", 3, { type: "mobile" }),
      phone("+17132400004", 4, { type: "mobile" }),
    ];
    expect(choosePrimaryPhone(phones, blocked)).toBe("+17132400003");
    expect(choosePrimaryPhone(phones.slice(0, 2), blocked)).toBe("+17132400002");
    // TCPA-flagged numbers are as unsafe as DNC ones; none callable -> none.
    expect(
      choosePrimaryPhone([phone("+17132400005", 1, { tcpa: true }), phones[0]!], blocked),
    ).toBeUndefined();
  });

  it("fills what is missing, replaces a DNC phone when a callable one exists, and only ever adds DND", () => {
    const trace = summarizeTrace({
      index: 0,
      matched: true,
      persons: [
        {
          name: { first: "Ann", last: "Lee" },
          phones: [
            { number: "7132400001", type: "Land Line", dnc: true, tcpa: false },
            { number: "(713) 240-0002", type: "Mobile", dnc: false, tcpa: false },
            { number: "12345", dnc: false, tcpa: false }, // invalid: dropped
          ],
          emails: ["Ann.Lee@Example.com", "not an email"],
          litigator: false,
          deceased: false,
        },
        {
          name: { full: "Bo Lee" },
          phones: [{ number: "7132400001", dnc: false, tcpa: true }], // same number: flags add up
          emails: [],
          litigator: false,
          deceased: false,
        },
      ],
    });
    expect(trace.phones.map((p) => [p.number, p.type, p.dnc, p.tcpa, p.rank])).toEqual([
      ["+17132400001", "landline", true, true, 1],
      ["+17132400002", "mobile", false, false, 2],
    ]);
    expect(trace.emails).toEqual(["ann.lee@example.com"]);
    expect(trace.primaryPhone).toBe("+17132400002");
    expect(trace.names).toEqual(["Ann Lee", "Bo Lee"]);

    expect(planContactUpdate({}, trace)).toEqual({ phone: "+17132400002", email: "ann.lee@example.com" });
    // A phone the trace says is DNC gives way to the callable one; a good phone stays.
    expect(planContactUpdate({ phone: "+1 713 240 0001", email: "x@y.com" }, trace)).toEqual({
      phone: "+17132400002",
    });
    expect(planContactUpdate({ phone: "+17135559999", email: "x@y.com" }, trace)).toEqual({});
    // Litigators: DND everywhere; a contact left with only a DNC phone: DND on calls and texts.
    expect(planContactUpdate({ email: "x@y.com" }, { ...trace, litigator: true })).toEqual({
      phone: "+17132400002",
      dnd: true,
    });
    const onlyDnc = { ...trace, phones: [trace.phones[0]!], primaryPhone: undefined };
    expect(planContactUpdate({ phone: "+17132400001", email: "x@y.com" }, onlyDnc)).toEqual({
      dndSettings: {
        Call: { status: "active", message: "DNC registry (BatchData)" },
        SMS: { status: "active", message: "DNC registry (BatchData)" },
      },
    });
    const already = { Call: { status: "active" }, SMS: { status: "permanent" } };
    expect(
      planContactUpdate({ phone: "+17132400001", email: "x@y.com", dndSettings: already }, onlyDnc),
    ).toEqual({});
  });

  it("writes a contact as a BatchLeads import row (entities keep the entity as last name)", () => {
    expect(
      contactToImportRow(
        {
          companyName: "Acme Holdings LLC",
          address1: "1 Main St",
          city: "Houston",
          state: "TX",
          postalCode: "77002",
          tags: ["batchleads", "hot lead"],
        },
        { status: "Hot" },
      ),
    ).toEqual({
      "Property Address": "1 Main St",
      "Property City": "Houston",
      "Property State": "TX",
      "Property Zip": "77002",
      "First Name": "",
      "Last Name": "Acme Holdings LLC",
      "Lead Status": "Hot",
      "Tag Names": "hot lead",
      Notes: "",
    });
  });
});

describe("BatchData actions against the sandbox", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(SEED);
  });
  beforeEach(() => h.sandbox.reset());
  afterAll(async () => {
    await h?.sandbox.close();
  });

  const contact = async (body: Record<string, unknown>) =>
    (
      (await h.client.call("create-contact", undefined, {
        locationId: h.ctx.locationId,
        ...body,
      } as never)) as {
        contact: { id: string };
      }
    ).contact.id;
  const read = async (id: string) =>
    ((await h.client.call("get-contact", { contactId: id })) as { contact: Json }).contact;
  /** Streets whose (deterministic) BatchData answer passes a test. */
  const streetsWhere = (want: (persons: ReturnType<typeof personsFor>) => boolean, n: number) => {
    const out: string[] = [];
    for (let i = 1; out.length < n && i < 5000; i++) {
      const street = `${i} Oak St`;
      const key = propertyKey({ propertyAddress: { street, zip: "77002" } })!;
      if (want(personsFor(SEED, key))) out.push(street);
    }
    return out;
  };
  const callable = (ps: ReturnType<typeof personsFor>) =>
    ps.some((p) => p.phones.some((x) => !x.dnc && !x.tcpa));

  it("traces a contact from its own address and merges phone, email and tags", async () => {
    const [street] = streetsWhere((ps) => ps.length > 0 && callable(ps) && !ps.some((p) => p.litigator), 1);
    const id = await contact({
      firstName: "Pat",
      lastName: "Owner",
      address1: street,
      city: "Houston",
      state: "TX",
      postalCode: "77002",
    });
    const before = h.sandbox.requests().length;
    const out = (await runEntry(getEntry("batchdata.skip-trace"), h.ctx, { contactId: id })) as Json;
    expect(out).toMatchObject({ traced: 1, matched: 1, noMatch: 0, errors: 0, batchDataCalls: 1 });
    // get-contact, the BatchData call, one update, one bulk tag call.
    const sent = h.sandbox
      .requests()
      .slice(before)
      .map((e) => e.operationId);
    expect(sent).toEqual([
      "get-contact",
      "batchdata:skip-trace",
      "update-contact",
      "contacts:create-association",
    ]);
    const r = out.results[0];
    const c = await read(id);
    expect(c.phone).toBe(r.primaryPhone);
    expect(r.phones.find((p: Json) => p.number === c.phone)).toMatchObject({ dnc: false, tcpa: false });
    expect(c.tags).toContain("skip-traced");
    if (r.emails.length) expect(c.email).toBe(r.emails[0]);
    expect(r.phonesText).toContain(r.primaryPhone);
  });

  it("traces 250 properties in 3 BatchData calls and tags each group in one bulk call", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 250; i++)
      ids.push(await contact({ firstName: `Lead${i}`, email: `lead${i}@example.com` }));
    const properties = ids.map((contactId, i) => ({ contactId, street: `${i + 1} Oak St`, zip: "77002" }));
    const before = h.sandbox.requests().length;
    const out = (await runEntry(getEntry("batchdata.skip-trace"), h.ctx, { properties })) as Json;
    const sent = h.sandbox.requests().slice(before);
    expect(out.batchDataCalls).toBe(3);
    expect(sent.filter((e) => e.operationId === "batchdata:skip-trace")).toHaveLength(3);
    expect(out.matched + out.noMatch).toBe(250);
    expect(out.noMatch).toBeGreaterThan(0);
    // skip-traced on 250-noMatch contacts (3 calls of <=100), skip-trace-no-match on the rest (1 call).
    const tagCalls = sent.filter((e) => e.operationId === "contacts:create-association");
    expect(tagCalls).toHaveLength(Math.ceil(out.matched / 100) + 1);
    for (const [i, r] of out.results.entries()) {
      const expected = personsFor(
        SEED,
        propertyKey({ propertyAddress: { street: `${i + 1} Oak St`, zip: "77002" } })!,
      );
      expect(r.matched, `property ${i}`).toBe(expected.length > 0);
      expect(r.litigator).toBe(expected.some((p) => p.litigator));
    }
    // Spot checks on what landed in HighLevel.
    for (const i of [0, 1, 2, 50, 99, 100, 200, 249]) {
      const r = out.results[i];
      const c = await read(ids[i]!);
      expect(c.tags).toContain(r.matched ? "skip-traced" : "skip-trace-no-match");
      expect(c.email).toBe(`lead${i}@example.com`); // an email it had is never replaced
      if (r.primaryPhone) expect(c.phone).toBe(r.primaryPhone);
      else expect(c.phone).toBeUndefined();
      if (r.litigator) expect(c.dnd).toBe(true);
    }
  });

  it("gives litigators DND, never makes a DNC number the phone, and leaves misses untouched", async () => {
    const [lit] = streetsWhere((ps) => ps.some((p) => p.litigator), 1);
    const [onlyDnc] = streetsWhere((ps) => ps.length > 0 && !callable(ps), 1);
    const [miss] = streetsWhere((ps) => ps.length === 0, 1);
    const a = await contact({ firstName: "Lit", address1: lit, postalCode: "77002" });
    const b = await contact({ firstName: "Dnc", address1: onlyDnc, postalCode: "77002" });
    const m = await contact({
      firstName: "Miss",
      address1: miss,
      postalCode: "77002",
      email: "miss@example.com",
    });
    const out = (await runEntry(getEntry("batchdata.skip-trace"), h.ctx, {
      properties: [{ contactId: a }, { contactId: b }, { contactId: m }],
      phonesField: "Mailing Address", // any text field will do for the test
    })) as Json;
    expect((await read(a)).dnd).toBe(true);
    const cb = await read(b);
    expect(cb.phone).toBeUndefined(); // every number DNC: none becomes the phone
    expect(out.results[1].phones.length).toBeGreaterThan(0);
    expect(out.results[1].primaryPhone).toBeUndefined();
    expect(cb.customFields?.[0]?.value).toBe(out.results[1].phonesText);
    const cm = await read(m);
    expect(out.results[2]).toMatchObject({ matched: false, updated: [] });
    expect(cm.tags).toEqual(["skip-trace-no-match"]);
    expect(cm.phone).toBeUndefined();
  });

  it("reports a property without an address and a wrong field name before BatchData bills anything", async () => {
    const id = await contact({ firstName: "Nowhere" });
    const before = h.sandbox.requests().length;
    const out = (await runEntry(getEntry("batchdata.skip-trace"), h.ctx, { contactId: id })) as Json;
    expect(out).toMatchObject({ traced: 0, errors: 1, batchDataCalls: 0 });
    expect(out.results[0].error).toMatch(/no address to trace/);
    await expect(
      runEntry(getEntry("batchdata.skip-trace"), h.ctx, {
        street: "1 Oak St",
        zip: "77002",
        phonesField: "Phonez",
      }),
    ).rejects.toThrow(/Unknown custom field "Phonez"/);
    expect(
      h.sandbox
        .requests()
        .slice(before)
        .some((e) => e.operationId?.startsWith("batchdata")),
    ).toBe(false);
    await expect(runEntry(getEntry("batchdata.skip-trace"), h.ctx, {})).rejects.toThrow(CatalogInputError);
  });

  it("says clearly when BatchData has no token, and sends nothing", async () => {
    const saved = process.env.BATCHDATA_TOKEN;
    delete process.env.BATCHDATA_TOKEN;
    try {
      await expect(
        runEntry(getEntry("batchdata.dnc-check"), h.ctx, { phones: "713-240-1234" }),
      ).rejects.toThrow(/BATCHDATA_TOKEN/);
    } finally {
      process.env.BATCHDATA_TOKEN = saved;
    }
  });

  it("checks DNC and puts DND on calls and texts for a contact whose phone is listed", async () => {
    // A number the emulation lists as DNC, and one it does not.
    const numbers = personsFor(SEED, "addr:1 oak st|77002")
      .concat(
        ...streetsWhere(() => true, 30).map((s) =>
          personsFor(SEED, propertyKey({ propertyAddress: { street: s, zip: "77002" } })!),
        ),
      )
      .flatMap((p) => p.phones);
    const dnc = numbers.find((p) => p.dnc)!;
    const clean = numbers.find((p) => !p.dnc && !p.tcpa)!;
    const out = (await runEntry(getEntry("batchdata.dnc-check"), h.ctx, {
      phones: [
        dnc.number,
        `(${clean.number.slice(0, 3)}) ${clean.number.slice(3, 6)}-${clean.number.slice(6)}`,
        "12",
      ],
    })) as Json;
    expect(out.phones).toEqual([
      { number: toE164(dnc.number), dnc: true, tcpa: dnc.tcpa },
      { number: toE164(clean.number), dnc: false, tcpa: false },
    ]);
    expect(out).toMatchObject({ invalid: ["12"], anyDnc: true, allDnc: false, contactUpdated: false });

    const id = await contact({ firstName: "Listed", phone: toE164(dnc.number) });
    const r = (await runEntry(getEntry("batchdata.dnc-check"), h.ctx, { contactId: id })) as Json;
    expect(r.contactUpdated).toBe(true);
    const c = await read(id);
    expect(c.dndSettings).toMatchObject({ Call: { status: "active" }, SMS: { status: "active" } });
    expect(c.dnd).not.toBe(true); // email stays open
    const again = (await runEntry(getEntry("batchdata.dnc-check"), h.ctx, { contactId: id })) as Json;
    expect(again.contactUpdated).toBe(false); // nothing left to change
  });

  it("posts a lead update to a Zapier catch hook with BatchLeads' column names", async () => {
    const id = await contact({
      firstName: "Mary",
      lastName: "Williams",
      address1: "6568 Hillcrest Rd",
      city: "Orlando",
      state: "FL",
      postalCode: "32819",
      tags: ["batchleads", "pre-foreclosure"],
    });
    const url = `${h.sandbox.info.baseUrl}/zapier/hooks/catch/42/bl-update/`;
    const out = (await runEntry(getEntry("batchleads.update.post"), h.ctx, {
      url,
      contactId: id,
      status: "Hot",
      notes: "Wants an offer",
    })) as Json;
    expect(out).toMatchObject({ posted: true, status: 200 });
    expect(JSON.parse(out.response as string)).toMatchObject({ status: "success" });
    expect(h.sandbox.caughtHooks().map((x) => x.body)).toEqual([
      {
        "Property Address": "6568 Hillcrest Rd",
        "Property City": "Orlando",
        "Property State": "FL",
        "Property Zip": "32819",
        "First Name": "Mary",
        "Last Name": "Williams",
        "Lead Status": "Hot",
        "Tag Names": "pre-foreclosure",
        Notes: "Wants an offer",
        "HighLevel Contact ID": id,
      },
    ]);
    await expect(
      runEntry(getEntry("batchleads.update.post"), h.ctx, {
        url: `${h.sandbox.info.baseUrl}/zapier/nope`,
        address: "1 Main St",
      }),
    ).rejects.toThrow(/catch hook answered 404/);
    await expect(runEntry(getEntry("batchleads.update.post"), h.ctx, { url, status: "Hot" })).rejects.toThrow(
      /no property address/,
    );
    await expect(
      runEntry(getEntry("batchleads.update.post"), h.ctx, { url: "ftp://x", address: "1 Main" }),
    ).rejects.toThrow(CatalogInputError);
  });
});

describe("BatchDataClient pacing", () => {
  it("keeps to the calls allowed per minute and waits out 429s without failing", async () => {
    let now = 0;
    const sleeps: number[] = [];
    const answers: Array<() => Response> = [];
    const ok = () =>
      new Response(
        JSON.stringify({
          status: { code: 200 },
          results: { phones: [{ number: "7132401234", dnc: false, tcpa: false }] },
        }),
        {
          status: 200,
        },
      );
    const client = new BatchDataClient({
      token: "test-token-123",
      baseUrl: "http://batchdata.invalid",
      callsPerMinute: 2,
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      fetch: async () => (answers.shift() ?? ok)(),
    });
    await client.checkDnc(["7132401234"]);
    now += 1000;
    await client.checkDnc(["7132401234"]);
    await client.checkDnc(["7132401234"]); // third in the minute: waits until the first is a minute old
    expect(sleeps).toEqual([59_000]);
    answers.push(() => new Response("{}", { status: 429, headers: { "retry-after": "7" } }));
    await client.checkDnc(["7132401234"]);
    expect(sleeps.slice(1)).toContain(7000);
    expect(client.calls).toBe(5);
    answers.push(
      () => new Response(JSON.stringify({ status: { code: 400, message: "bad phones" } }), { status: 400 }),
    );
    await expect(client.checkDnc(["1"])).rejects.toThrow(/answered 400: bad phones/);
  });

  it("batches DNC checks by 100", async () => {
    const bodies: Json[] = [];
    const client = new BatchDataClient({
      token: "test-token-123",
      baseUrl: "http://batchdata.invalid",
      fetch: async (_url, init) => {
        const body = JSON.parse(String(init?.body));
        bodies.push(body);
        return new Response(
          JSON.stringify({
            results: { phones: body.phones.map((n: string) => ({ number: n, dnc: true, tcpa: false })) },
          }),
        );
      },
    });
    const numbers = Array.from({ length: 230 }, (_, i) => `713240${String(i).padStart(4, "0")}`);
    const out = await client.checkDnc(numbers);
    expect(bodies.map((b) => b.phones.length)).toEqual([100, 100, 30]);
    expect(out.map((r) => r.number)).toEqual(numbers);
  });
});
