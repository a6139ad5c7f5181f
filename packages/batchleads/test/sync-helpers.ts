// Test helpers for the sync tests: a sandbox with a generous rate limit, what its location's custom
// field list gained since the world started, and reads of contacts, notes and tasks that tests use to
// look at HighLevel's state (their calls are not counted against the import).
import { HighLevelClient } from "@hlconnect/client";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import type { Lead } from "../src/lead.ts";

export const SAMPLE = new URL("../../../specs/batchleads/sample-export.csv", import.meta.url).pathname;

export interface TestWorld {
  sandbox: Sandbox;
  baseUrl: string;
  locationId: string;
  token: string;
  /** Names of the custom fields created in the location since the world started. */
  createdFields(): Promise<string[]>;
  client(): HighLevelClient;
  /** Write requests (POST/PUT/PATCH/DELETE but searches) since `mark`: every request reaches the sandbox's log first. */
  writesSince(mark: Mark): number;
  requestsSince(mark: Mark): Array<{ method: string; operationId: string | null }>;
  mark(): Mark;
  close(): Promise<void>;
}

export interface Mark {
  sandboxId: number;
}

/** `rateLimit`: the sandbox's burst limit (default: high enough never to wait). */
export async function startWorld(
  seed = 7,
  rateLimit: { max: number; windowMs: number } = { max: 100_000, windowMs: 1000 },
): Promise<TestWorld> {
  const sandbox = await startSandbox({ port: 0, seed, rateLimit });
  const baseUrl = sandbox.info.baseUrl;
  const lastId = () => sandbox.requests().at(-1)?.id ?? 0;
  const fieldNames = async () => {
    const r = (await new HighLevelClient({
      credentials: sandbox.info.locationToken,
      baseUrl,
      locationId: sandbox.info.locationId,
    }).callByKey("get-custom-fields", { locationId: sandbox.info.locationId, model: "all" })) as {
      customFields: Array<{ name: string }>;
    };
    return r.customFields.map((f) => f.name);
  };
  const seeded = new Set(await fieldNames());

  return {
    sandbox,
    baseUrl,
    locationId: sandbox.info.locationId,
    token: sandbox.info.locationToken,
    createdFields: async () => (await fieldNames()).filter((n) => !seeded.has(n)),
    client: () =>
      new HighLevelClient({
        credentials: sandbox.info.locationToken,
        baseUrl,
        locationId: sandbox.info.locationId,
      }),
    mark: () => ({ sandboxId: lastId() }),
    requestsSince: (m) =>
      sandbox.requests({ after: m.sandboxId }).map((r) => ({ method: r.method, operationId: r.operationId })),
    // A search is a POST that changes nothing: a read.
    writesSince: (m) =>
      sandbox
        .requests({ after: m.sandboxId })
        .filter((r) => r.method !== "GET" && r.operationId !== "search-contacts-advanced").length,
    close: async () => {
      await sandbox.close();
    },
  };
}

/** Every contact of the location, with its notes and tasks (test-side reads, not counted). */
export async function sandboxContacts(world: TestWorld) {
  const client = world.client();
  const contacts: Array<Record<string, unknown>> = [];
  for await (const c of client.paginate("get-contacts", { locationId: world.locationId, limit: 100 })) {
    contacts.push(c as Record<string, unknown>);
  }
  return contacts;
}

export async function notesOf(world: TestWorld, contactId: string): Promise<Array<{ body: string }>> {
  const r = (await world.client().callByKey("get-all-notes", { contactId })) as {
    notes: Array<{ body: string }>;
  };
  return r.notes;
}

export async function tasksOf(
  world: TestWorld,
  contactId: string,
): Promise<Array<{ title: string; dueDate: string }>> {
  const r = (await world.client().callByKey("get-all-tasks", { contactId })) as {
    tasks: Array<{ title: string; dueDate: string }>;
  };
  return r.tasks;
}

/** A lead as part A's reader makes them (row 1 of the sample), with any part replaced. */
export function makeLead(over: Partial<Lead> = {}): Lead {
  return {
    key: "apn:188-65-7851|orange|fl",
    rows: [1],
    owner: { firstName: "Mary", lastName: "Williams", displayName: "Mary Williams" },
    property: {
      address: "6568 Hillcrest Rd",
      city: "Orlando",
      state: "FL",
      zip: "32819",
      county: "Orange",
      apn: "188-65-7851",
    },
    mailing: { address: "1050 Sunset Blvd", city: "Orlando", state: "FL", zip: "32819" },
    phones: [
      { number: "+17867181909", dnc: true, rank: 1 },
      { number: "+13056875749", type: "mobile", dnc: false, rank: 3 },
    ],
    primaryPhone: "+13056875749",
    emails: ["mary.williams72@example.com", "mw@example.com"],
    compliance: { litigator: false, optOut: false },
    status: "Follow Up",
    list: "High Equity Phoenix",
    tags: ["pre-foreclosure", "high equity"],
    notes: "Wants cash offer",
    facts: {
      propertyType: "Single Family Residential",
      bedrooms: 5,
      bathrooms: 3,
      estimatedValue: 316000,
      vacant: false,
    },
    problems: [],
    ...over,
  };
}
