// Acceptance: an independent client, HighLevel's official SDK (@gohighlevel/api-client), runs
// one realistic story against the sandbox that passes through every one of the 124 seed
// operations (specs/catalog/seed-operations.json), each step building on ids earlier steps made.
// Every call is checked (status from the request log, answer against the spec, the state it
// left); at the end the request log must show each seed operation answered successfully and no
// failure the story did not ask for. The chapters live in sdk-scenario-steps.ts.
import { HighLevel } from "@gohighlevel/api-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import seedCatalog from "../../../specs/catalog/seed-operations.json" with { type: "json" };
import { findOperation, type Sandbox, startSandbox } from "../src/index.ts";
import { manualClock } from "./helpers.ts";
import {
  blockTime,
  bookConsultation,
  type Ctx,
  captureLead,
  cleanUp,
  converse,
  type Inbox,
  linkBusiness,
  publishPost,
  Runner,
  relateRecords,
  reviewCall,
  runOpenHouseCalendar,
  sdkFor,
  staffUp,
  startInbox,
  surveyAccount,
  workDeal,
  workLead,
} from "./sdk-scenario-steps.ts";

/** Friday 2026-11-20, 04:00 in Los Angeles: the week after next is open for booking. */
const clock = manualClock(Date.UTC(2026, 10, 20, 12, 0, 0));
const ORIGINAL_BASE_URL = (HighLevel as unknown as { BASE_URL: string }).BASE_URL;

let sb: Sandbox;
let inbox: Inbox;
let ctx: Ctx;

beforeAll(async () => {
  inbox = await startInbox();
  sb = await startSandbox({ seed: 2026, now: clock.now, webhookUrl: inbox.url });
  const run = new Runner(sb, clock, {
    location: sdkFor(sb.info.baseUrl, sb.info.locationToken),
    agency: sdkFor(sb.info.baseUrl, sb.info.agencyToken),
  });
  ctx = { sb, info: sb.info, run, inbox };
});

afterAll(async () => {
  (HighLevel as unknown as { BASE_URL: string }).BASE_URL = ORIGINAL_BASE_URL;
  await sb?.close();
  await inbox?.close();
});

describe("the official SDK against the sandbox", () => {
  it("runs a buyer's story through all 124 seed operations", async () => {
    const account = await surveyAccount(ctx);
    const team = await staffUp(ctx);
    const lead = await captureLead(ctx, account);
    const work = await workLead(ctx, lead, team);
    const business = await linkBusiness(ctx, lead);
    const deal = await workDeal(ctx, lead, team);
    const relation = await relateRecords(ctx, lead, business);
    const booking = await bookConsultation(ctx, lead, team);
    await blockTime(ctx, booking);
    await runOpenHouseCalendar(ctx);
    await converse(ctx, lead);
    await reviewCall(ctx);
    await publishPost(ctx);
    await cleanUp(ctx, { lead, team, work, business, deal, relation, booking });

    // The request log: every request came from a checked step, every seed operation (matched
    // by operationId, method and path template) answered < 400 at least once, and nothing
    // failed that the story did not expect to fail.
    const log = sb.requests();
    const steps = ctx.run.steps;
    expect(log.map((e) => e.id)).toEqual(steps.map((s) => s.logId));
    const calls = log.map((e) => {
      const match = findOperation(e.method, e.path);
      return { ...e, template: match?.operation.path, opId: match?.operation.operationId };
    });
    const uncovered = seedCatalog.operations
      .filter(
        (op) =>
          !calls.some(
            (c) =>
              c.opId === op.operationId && c.method === op.method && c.template === op.path && c.status < 400,
          ),
      )
      .map((op) => `${op.name}: ${op.method} ${op.path}`);
    expect(uncovered).toEqual([]);
    expect(seedCatalog.operations).toHaveLength(124);

    const expected = new Set(steps.filter((s) => s.expectedFailure).map((s) => s.logId));
    const unexpected = log.filter((e) => e.status >= 400 && !expected.has(e.id));
    expect(unexpected).toEqual([]);
    expect(steps.filter((s) => s.expectedFailure).map((s) => s.key)).toEqual(["get-contact"]);

    // Agency-only operations went out with the agency token, everything else with the location's.
    const agencyKeys = [...new Set(steps.filter((s) => s.as === "agency").map((s) => s.key))].sort();
    expect(agencyKeys).toEqual([
      "create-location",
      "filter-users-by-email",
      "get-company",
      "get-custom-snapshots",
    ]);

    // Every webhook the story caused carries a signature the SDK's own Ed25519 check accepts.
    await sb.webhooksIdle();
    const { deliveries } = inbox;
    expect(deliveries.length).toBeGreaterThan(0);
    const verifier = ctx.run.sdk.location.webhooks;
    const rejected = deliveries.filter(
      (d) => !verifier.verifyEd25519Signature(d.raw, d.signature, sb.info.webhookPublicKey),
    );
    expect(rejected).toEqual([]);
    // ...and the check is real: one changed byte fails it.
    expect(
      verifier.verifyEd25519Signature(
        `${deliveries[0]!.raw} `,
        deliveries[0]!.signature,
        sb.info.webhookPublicKey,
      ),
    ).toBe(false);
  });
});
