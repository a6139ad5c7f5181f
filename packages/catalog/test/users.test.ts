import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEntry, pollEntry, runEntry } from "../src/index.ts";
import type { ActionEntry, CatalogContext } from "../src/types.ts";
import { type Harness, startHarness } from "./helpers.ts";

describe("users", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.sandbox.close();
  });

  const since = () => h.sandbox.requests().length;
  const sentSince = (before: number) => h.sandbox.requests().slice(before);

  async function createUser(ctx: CatalogContext, firstName: string, email: string) {
    return (await runEntry(getEntry("highlevel.users.create"), ctx, {
      firstName,
      lastName: "Poll",
      email,
      password: "Example-Passw0rd!",
    })) as { id: string; email: string; roles: { locationIds: string[]; type: string; role: string } };
  }

  it("Search Users polls as a snapshot: nothing first, a new user exactly once, one request when idle", async () => {
    const search = getEntry("highlevel.users.search");
    const first = await pollEntry(search, h.ctx, {}, undefined);
    expect(first.items).toEqual([]);
    expect(first.requests).toBe(1);
    expect(first.cursor.snapshot?.length).toBeGreaterThan(0);

    const made = await createUser(h.ctx, "Polly", "polly.poll@example.com");
    const second = await pollEntry(search, h.ctx, {}, first.cursor);
    expect(second.items.map((u) => (u as { id: string }).id)).toEqual([made.id]);

    const before = since();
    const third = await pollEntry(search, h.ctx, {}, second.cursor);
    expect(third.items).toEqual([]);
    expect(sentSince(before).map((r) => [r.method, r.path])).toEqual([["GET", "/users/search"]]);
    // The cursor stays a handful of short hashes, whatever the users hold.
    expect(JSON.stringify(third.cursor).length).toBeLessThan(400);
  });

  it("Search Users only sees the location's users with a location token, and filters by role", async () => {
    const all = (await runEntry(getEntry("highlevel.users.search"), h.ctx, { limit: 100 })) as {
      users: Array<{ name: string; roles: { locationIds: string[]; role: string } }>;
    };
    expect(all.users.length).toBeGreaterThan(0);
    for (const u of all.users) expect(u.roles.locationIds).toContain(h.sandbox.info.locationId);
    const admins = (await runEntry(getEntry("highlevel.users.search"), h.ctx, {
      role: "admin",
    })) as typeof all;
    expect(admins.users.length).toBeGreaterThan(0);
    for (const u of admins.users) expect(u.roles.role).toBe("admin");
  });

  it("Create User fills the agency and the connection's location, and reconciles by email", async () => {
    const made = await createUser(h.ctx, "Casey", "Casey.Create@Example.com");
    expect(made.email).toBe("casey.create@example.com");
    expect(made.roles).toMatchObject({
      type: "account",
      role: "user",
      locationIds: [h.sandbox.info.locationId],
    });
    const entry = getEntry("highlevel.users.create") as ActionEntry;
    expect(entry.idempotency).toBe("reconcilable");
    const found = (await entry.reconcile?.(h.ctx, { email: "casey.create@example.com" })) as { id: string };
    expect(found.id).toBe(made.id);
    expect(await entry.reconcile?.(h.ctx, { email: "nobody.here@example.com" })).toBeUndefined();
  });

  it("Filter Users by Email takes a list or comma-separated text, with an agency token only", async () => {
    const entry = getEntry("highlevel.users.filter-by-email");
    const out = (await runEntry(entry, h.agencyCtx, {
      emails: " Jordan.Blake@demo-realty.example, sam.rivera@harbor-homes.example ",
    })) as { users: Array<{ email: string; firstName?: string }>; count: number };
    expect(out.users.map((u) => u.email).sort()).toEqual([
      "jordan.blake@demo-realty.example",
      "sam.rivera@harbor-homes.example",
    ]);
    // "all" fields by default, not HighLevel's bare id and email.
    expect(out.users[0]?.firstName).toBeTruthy();

    const before = since();
    await expect(runEntry(entry, h.ctx, { emails: ["jordan.blake@demo-realty.example"] })).rejects.toThrow(
      /agency \(company\) token/,
    );
    await expect(runEntry(entry, h.agencyCtx, { emails: "not-an-email" })).rejects.toThrow(
      /emails: not valid email address\(es\): "not-an-email"/,
    );
    expect(sentSince(before)).toEqual([]);
  });
});
