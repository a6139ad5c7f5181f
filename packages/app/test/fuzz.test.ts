// Property-based fuzzing (fast-check) of what comes from outside: HighLevel webhook bodies (signed, so
// they reach the parsing), per-flow hook payloads, flow files and BatchLeads rows. Whatever the input:
// no crash, no 500, no stack trace in an answer, and an error that names the problem. The inputs come
// from one seed per run (helpers/fuzz.ts): a failure prints it, HLCONNECT_FUZZ_SEED=<seed> replays it.
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { isRejected, normalizeRow } from "@hlconnect/batchleads";
import { Engine } from "@hlconnect/engine/engine";
import { parseFlowFile } from "@hlconnect/engine/flows/index";
import fc from "fast-check";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/server/app.ts";
import { createLogger } from "../src/server/logging.ts";
import { fuzz, fuzzSeed } from "./helpers/fuzz.ts";

const API_TOKEN = "fuzz-api-token-4c1e9b";
const { privateKey, publicKey } = generateKeyPairSync("ed25519");
let engine: Engine;
let app: Hono;
let dir: string;
let hookSecret: string;

const HOOK_FLOW = `id: fuzz-hook
name: Fuzz hook
enabled: false
trigger:
  webhook: {}
steps:
  - id: find
    op: highlevel.contacts.find
    input:
      email: "{{ trigger.email }}"
`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "hlconnect-fuzz-"));
  engine = await Engine.open({
    dataDir: dir,
    secret: "a-fuzz-test-passphrase-long-enough",
    webhookPublicKey: publicKey.export({ type: "spki", format: "pem" }) as string,
  });
  const logger = createLogger({ level: "silent", stream: new Writable({ write: (_c, _e, cb) => cb() }) });
  app = createApp({ engine, apiToken: API_TOKEN, logger }).app;
  expect((await engine.saveFlow(HOOK_FLOW, "fuzz-hook.yaml")).errors).toEqual([]);
  hookSecret = (await engine.store.getFlowHookSecret("fuzz-hook"))!;
});
afterAll(async () => {
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** An answer is fine when it is not a 500, and an error names something without a stack trace. */
async function checkAnswer(res: Response, allowed: number[]): Promise<void> {
  const text = await res.text();
  expect(allowed, `status ${res.status}: ${text.slice(0, 300)}`).toContain(res.status);
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
  if (res.status >= 400) {
    const body = JSON.parse(text) as { error?: string };
    expect(body.error && body.error.length > 5).toBe(true);
  }
}

const jsonValue = fc.jsonValue({ maxDepth: 6 });
const eventLike = fc.record(
  {
    type: fc.oneof(fc.constantFrom("ContactCreate", "ContactUpdate", "NoteCreate", "Nope"), jsonValue),
    locationId: fc.oneof(fc.string(), jsonValue),
    id: fc.oneof(fc.string(), jsonValue),
    webhookId: fc.oneof(fc.uuid(), jsonValue),
    timestamp: fc.oneof(
      fc.constant(new Date().toISOString()),
      fc.date().map((d) => d.toString()),
      jsonValue,
    ),
    extra: jsonValue,
  },
  { requiredKeys: [] },
);

describe("fuzzing", () => {
  it("HighLevel webhook bodies, signed: 200, 400 or 401, never a 500 or a stack", async () => {
    await fuzz(
      fc.asyncProperty(
        fc.oneof(
          eventLike.map((e) => JSON.stringify(e)),
          jsonValue.map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 300 }),
        ),
        async (body) => {
          const res = await app.request("/webhooks/highlevel", {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "x-ghl-signature": sign(null, Buffer.from(body), privateKey).toString("base64"),
            },
            body,
          });
          await checkAnswer(res, [200, 400, 401]);
        },
      ),
      150,
    );
  });

  it("hook payloads of any type and content type: 202, 400 or 401, never a 500", async () => {
    await fuzz(
      fc.asyncProperty(
        fc.oneof(
          jsonValue.map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 300 }),
        ),
        fc.constantFrom("application/json", "application/x-www-form-urlencoded", "text/plain", ""),
        fc.boolean(),
        async (body, type, rightSecret) => {
          const res = await app.request("/hooks/fuzz-hook", {
            method: "POST",
            headers: {
              ...(type ? { "content-type": type } : {}),
              "x-hlconnect-secret": rightSecret ? hookSecret : "wrong",
            },
            body,
          });
          await checkAnswer(res, [202, 400, 401]);
        },
      ),
      150,
    );
  });

  it("flow files: parsed or refused with file:line:column errors, and the API answers 201/409/422", async () => {
    const valid = HOOK_FLOW.split("\n");
    const mutated = fc
      .tuple(
        fc.nat(valid.length - 1),
        fc.string({ maxLength: 40 }),
        fc.constantFrom("replace", "insert", "delete"),
      )
      .map(([at, text, how]) => {
        const lines = [...valid];
        if (how === "replace") lines[at] = text;
        else if (how === "insert") lines.splice(at, 0, text);
        else lines.splice(at, 1);
        return lines.join("\n");
      });
    await fuzz(
      fc.asyncProperty(fc.oneof(mutated, fc.string({ maxLength: 200 })), async (source) => {
        const parsed = parseFlowFile(source, "fuzz.yaml");
        if (!parsed.flow) {
          expect(parsed.errors.length).toBeGreaterThan(0);
          for (const e of parsed.errors) {
            expect(e.line).toBeGreaterThanOrEqual(1);
            expect(e.message.length).toBeGreaterThan(3);
          }
        }
        const res = await app.request("/api/flows", {
          method: "POST",
          headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ source, file: "fuzz.yaml" }),
        });
        await checkAnswer(res, [201, 409, 422, 400]);
        if (res.status === 201) {
          const id = parsed.flow?.id;
          if (id && id !== "fuzz-hook") await engine.store.deleteFlow(id);
        }
      }),
      120,
    );
  });

  it("BatchLeads rows: a lead or a rejected row with its reasons, never an exception", async () => {
    const columns = [
      "Property Address",
      "Property City",
      "Property State",
      "Property Zip",
      "Owner First Name",
      "Owner Last Name",
      "Phone 1",
      "Phone 1 DNC",
      "Email 1",
      "Apn",
      "County",
      "Lead Status",
      "Tags",
      "Estimated Value",
    ];
    await fuzz(
      fc.property(
        fc.dictionary(
          fc.oneof(fc.constantFrom(...columns), fc.string({ maxLength: 12 })),
          fc.string({ maxLength: 40 }),
        ),
        fc.nat(100_000),
        (values, row) => {
          const out = normalizeRow(values, row);
          if (isRejected(out)) expect(out.reason.length).toBeGreaterThan(3);
          else expect(typeof out.key).toBe("string");
        },
      ),
      500,
    );
  });
});

describe("replaying a fuzz failure", () => {
  it("reads HLCONNECT_FUZZ_SEED, else picks a random seed, and refuses a seed that is not a number", () => {
    expect(fuzzSeed("1234567")).toBe(1234567);
    expect(fuzzSeed(" -5 ")).toBe(-5);
    const random = fuzzSeed(undefined);
    expect(Number.isInteger(random) && random >= 0 && random < 2 ** 31).toBe(true);
    expect(fuzzSeed("")).toBeGreaterThanOrEqual(0);
    expect(() => fuzzSeed("abc")).toThrow(/HLCONNECT_FUZZ_SEED must be a whole number .* got "abc"/);
    expect(() => fuzzSeed("99999999999")).toThrow(/HLCONNECT_FUZZ_SEED/);
  });

  it("a failure names its seed, and the same seed finds the same counterexample", async () => {
    const failing = () => fc.property(fc.string(), (s) => !s.includes("z"));
    const failure = async (seed: number) =>
      fuzz(failing(), 1000, seed).then(
        () => "passed",
        (err: Error) => err.message,
      );
    const first = await failure(424242);
    expect(first).toMatch(/^replay with HLCONNECT_FUZZ_SEED=424242 /);
    expect(first).toMatch(/Counterexample/);
    expect(await failure(424242)).toBe(first);
  });
});
