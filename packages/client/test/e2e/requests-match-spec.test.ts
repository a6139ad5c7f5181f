// The requests the client builds, and the ones it actually puts on the wire, are valid requests of the
// official spec: the route resolves to the same operation, required path/query parameters are there with
// values of the declared type, the body fits the body schema, and the Version header is exactly the one
// the spec declares. Checked with the sandbox's validator (the same patched documents its server uses).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  findOperation,
  loadSpec,
  type Sandbox,
  type SpecOperation,
  startSandbox,
  validateRequest,
} from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildRequest,
  DEFAULT_API_VERSION,
  HighLevelClient,
  HighLevelError,
  OPERATIONS,
  type OperationSpec,
  PrivateIntegrationToken,
} from "../../src/index.ts";
import { SpecExampleGenerator } from "./spec-examples.ts";

const BASE_URL = "https://services.leadconnectorhq.com";
const spec = loadSpec();
const requiredOnly = new SpecExampleGenerator(spec.documents);
const withOptional = new SpecExampleGenerator(spec.documents, {
  optionalParams: true,
  optionalProperties: true,
});

function specOf(op: OperationSpec): SpecOperation {
  const found = spec.byKey.get(op.key);
  if (!found) throw new Error(`the sandbox spec has no operation ${op.key}`);
  return found;
}

/**
 * Operations whose body schema no request can satisfy: the document types `code` / `country` as a
 * number and restricts it to an enum whose only member is an array of country codes. A client cannot
 * send a valid request for them; the test below pins that, so that it is noticed when the spec is fixed.
 */
const UNSATISFIABLE: Record<string, string> = {
  "create-shipping-zone": "countries.0.code must be a number",
  "create-store-setting": "shippingOrigin.country must be a number",
};

// ---- the sample ----------------------------------------------------------------------------------------

interface SeedOperation {
  spec: string;
  operationId: string;
}
const seedCatalog = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../../../specs/catalog/seed-operations.json"), "utf8"),
) as { operations: SeedOperation[] };

/** Seed catalog entries name service + operationId; the client keys shared ids "service:operationId". */
const seedKeys = [
  ...new Set(
    seedCatalog.operations.map((s) => {
      const op = OPERATIONS.find((o) => o.service === s.spec && o.operationId === s.operationId);
      if (!op) throw new Error(`seed operation ${s.spec}/${s.operationId} is not in the operation table`);
      return op.key;
    }),
  ),
].sort();

// Every operation is cheap to check, so the sample is the whole table less the unsatisfiable ones.
const sample = OPERATIONS.filter((o) => !(o.key in UNSATISFIABLE));
const services = [...new Set(OPERATIONS.map((o) => o.service))];

// ---- turning an HTTP request back into validator input --------------------------------------------------

interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Raw body: a string, a URLSearchParams or a FormData. */
  body?: unknown;
}

interface Decoded {
  operationKey: string | undefined;
  path: Record<string, string>;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body: unknown;
}

/** What a server sees: routed path parameters, the query (repeated keys as arrays), headers and body. */
function decode(req: WireRequest): Decoded {
  const url = new URL(req.url);
  const match = findOperation(req.method, url.pathname);
  const query: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const contentType =
    Object.entries(req.headers).find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "";
  let body: unknown;
  if (typeof req.body === "string") {
    body = contentType.includes("application/x-www-form-urlencoded")
      ? Object.fromEntries(new URLSearchParams(req.body))
      : JSON.parse(req.body);
  } else if (req.body instanceof URLSearchParams) {
    body = Object.fromEntries(req.body);
  } else if (req.body instanceof FormData) {
    body = Object.fromEntries(
      [...req.body.entries()].map(([k, v]) => [k, typeof v === "string" ? v : "<file>"]),
    );
  }
  return {
    operationKey: match?.operation.key,
    path: match?.params ?? {},
    query,
    headers: req.headers,
    body,
  };
}

function header(headers: Record<string, string>, name: string): string | undefined {
  return Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

/** Everything the spec requires of one request, with messages naming the operation. */
function expectValid(op: OperationSpec, d: Decoded): void {
  const declared = specOf(op).version;
  expect(d.operationKey, `${op.key}: the URL routes to another operation`).toBe(op.key);
  expect(header(d.headers, "Version"), `${op.key}: Version header`).toBe(declared ?? DEFAULT_API_VERSION);
  for (const p of op.parameters) {
    if (!p.required) continue;
    const where = p.in === "path" ? d.path : p.in === "query" ? d.query : {};
    expect(where[p.name], `${op.key}: required ${p.in} parameter ${p.name}`).toBeDefined();
  }
  const result = validateRequest(
    op.key,
    { path: d.path, query: d.query, headers: d.headers, body: d.body },
    { strictVersion: true },
  );
  expect(result.errors, `${op.key}: ${JSON.stringify(d.body)?.slice(0, 300)}`).toEqual([]);
}

// ---- buildRequest over the sample ---------------------------------------------------------------------

describe("the sample", () => {
  it("is broad: at least 150 operations, every service, every seed-catalog operation", () => {
    expect(OPERATIONS).toHaveLength(576);
    expect(services).toHaveLength(41);
    expect(sample.length).toBeGreaterThanOrEqual(150);
    expect(new Set(sample.map((o) => o.service))).toEqual(new Set(services));
    expect(seedKeys.length).toBeGreaterThanOrEqual(120);
    const keys = new Set(sample.map((o) => o.key));
    expect(seedKeys.filter((k) => !keys.has(k))).toEqual([]);
  });

  it("agrees with the sandbox's spec table on method, path, parameters and Version", () => {
    for (const op of OPERATIONS) {
      const s = specOf(op);
      expect([op.method, op.path, op.version], op.key).toEqual([s.method, s.path, s.version]);
      const names = (ps: ReadonlyArray<{ name: string; in: string; required: boolean }>) =>
        ps.map((p) => `${p.in}:${p.name}:${p.required}`).sort();
      expect(names(op.parameters), op.key).toEqual(names(s.parameters));
    }
  });
});

describe("buildRequest matches the spec", () => {
  it.each(sample.map((o) => [o.key, o] as const))("%s (required parameters)", (_key, op) => {
    const example = requiredOnly.forOperation(specOf(op));
    const built = buildRequest(op, example.params, example.body, { baseUrl: BASE_URL });
    expect(built.method).toBe(op.method);
    if (op.body?.contentType === "application/json")
      expect(built.headers["Content-Type"]).toBe("application/json");
    if (op.body?.contentType === "multipart/form-data") expect(built.body).toBeInstanceOf(FormData);
    expectValid(op, decode(built));
  });

  it.each(seedKeys.map((k) => [k, OPERATIONS.find((o) => o.key === k)!] as const))(
    "%s (seed operation, optional parameters and example properties too)",
    (_key, op) => {
      const example = withOptional.forOperation(specOf(op));
      const built = buildRequest(op, example.params, example.body, { baseUrl: BASE_URL });
      const decoded = decode(built);
      // Every optional query parameter given is on the wire, none is dropped or renamed.
      for (const p of op.parameters) {
        if (p.in === "query" && example.params[p.name] !== undefined)
          expect(Object.keys(decoded.query), op.key).toContain(p.name);
      }
      expectValid(op, decoded);
    },
  );

  it.each(Object.entries(UNSATISFIABLE))(
    "%s: the spec's body schema cannot be satisfied (%s)",
    (key, error) => {
      const op = OPERATIONS.find((o) => o.key === key)!;
      const example = requiredOnly.forOperation(specOf(op));
      const built = buildRequest(op, example.params, example.body, { baseUrl: BASE_URL });
      const d = decode(built);
      expect(validateRequest(key, { ...d }, { strictVersion: true }).errors).toEqual([error]);
    },
  );

  it("the validator is not a rubber stamp: it refuses broken variants of valid requests", () => {
    const op = OPERATIONS.find((o) => o.key === "get-contacts")!;
    const example = requiredOnly.forOperation(specOf(op));
    const good = decode(buildRequest(op, example.params, undefined, { baseUrl: BASE_URL }));
    expect(validateRequest(op.key, good, { strictVersion: true }).valid).toBe(true);
    expect(validateRequest(op.key, { ...good, query: {} }, { strictVersion: true }).errors).toEqual([
      "locationId should not be empty",
    ]);
    const otherVersion = { ...good, headers: { ...good.headers, Version: "2021-04-15" } };
    expect(validateRequest(op.key, otherVersion, { strictVersion: true }).valid).toBe(false);

    const create = OPERATIONS.find((o) => o.key === "create-contact")!;
    const body = requiredOnly.forOperation(specOf(create)).body as Record<string, unknown>;
    expect(body).toHaveProperty("locationId");
    const built = decode(buildRequest(create, {}, body, { baseUrl: BASE_URL }));
    expect(validateRequest(create.key, built, { strictVersion: true }).valid).toBe(true);
    const { locationId: _, ...missing } = body;
    expect(validateRequest(create.key, { ...built, body: missing }).errors).toContain(
      "locationId should not be empty",
    );
    expect(validateRequest(create.key, { ...built, body: { ...body, dnd: "yes" } }).valid).toBe(false);
  });
});

// ---- what HighLevelClient puts on the wire ---------------------------------------------------------------

/** About one operation per service: the one with the most parameters and body properties, plus edge shapes. */
function wireSample(): OperationSpec[] {
  const weight = (op: OperationSpec) => {
    const ex = withOptional.forOperation(specOf(op));
    const bodyKeys = ex.body && typeof ex.body === "object" ? Object.keys(ex.body).length : 0;
    return Object.keys(ex.params).length + bodyKeys;
  };
  const picked = new Map<string, OperationSpec>();
  for (const service of [...services].sort()) {
    const ops = sample.filter((o) => o.service === service && o.key !== "get-access-token");
    const best = ops.reduce((a, b) => (weight(b) > weight(a) ? b : a));
    picked.set(best.key, best);
  }
  // A multipart upload, a form body, an array query parameter, a DELETE with a path parameter, an
  // operation that declares neither security nor a Version (the client sends the default one).
  for (const key of [
    "upload-media-content",
    "get-location-access-token",
    "fb-get-reporting",
    "delete-contact",
    "cancel-scheduled-email-message",
  ]) {
    picked.set(key, OPERATIONS.find((o) => o.key === key)!);
  }
  return [...picked.values()];
}

describe("HighLevelClient on the wire", () => {
  let sb: Sandbox;
  const wire = wireSample();

  beforeAll(async () => {
    sb = await startSandbox({ seed: 11 });
  });
  afterAll(async () => {
    await sb?.close();
  });

  /**
   * Point the example's location / company ids (at any depth) at the sandbox's, so that its access checks
   * pass; other made-up ids stay, and the sandbox answers "not found" for them.
   */
  function localize<T>(value: T): T {
    if (Array.isArray(value)) return value.map(localize) as T;
    if (!value || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (/^location_?id$/i.test(key)) out[key] = sb.info.locationId;
      else if (/^location_?ids$/i.test(key)) out[key] = [sb.info.locationId];
      else if (/^company_?id$/i.test(key)) out[key] = sb.info.companyId;
      else out[key] = localize(v);
    }
    if (out.altType === "location" && "altId" in out) out.altId = sb.info.locationId;
    if ((out.altType === "company" || out.altType === "agency") && "altId" in out)
      out.altId = sb.info.companyId;
    return out as T;
  }

  it("covers one operation per service (about forty) of every method, body type and token type", () => {
    expect(wire.length).toBeGreaterThanOrEqual(30);
    expect(new Set(wire.map((o) => o.method))).toEqual(new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]));
    expect(new Set(wire.map((o) => o.body?.contentType ?? "none"))).toEqual(
      new Set(["none", "application/json", "multipart/form-data", "application/x-www-form-urlencoded"]),
    );
    expect(new Set(wire.map((o) => o.security))).toEqual(new Set(["location", "agency", "either", "none"]));
  });

  it("sends spec-valid requests that the sandbox routes, authenticates and validates", async () => {
    const failures: string[] = [];
    for (const op of wire) {
      const captured: Request[] = [];
      // The injected fetch sees exactly what fetch would send (headers normalised, body serialised),
      // keeps a copy, and forwards it to the sandbox.
      const recordingFetch: typeof fetch = async (input, init) => {
        const request = new Request(input, init);
        captured.push(request.clone());
        return fetch(request);
      };
      const agency = op.security === "agency";
      const client = new HighLevelClient({
        credentials: new PrivateIntegrationToken({
          token: agency ? sb.info.agencyToken : sb.info.locationToken,
          kind: agency ? "agency" : "location",
          companyId: sb.info.companyId,
          ...(agency ? {} : { locationId: sb.info.locationId }),
        }),
        baseUrl: sb.info.baseUrl,
        retry: { maxAttempts: 1 },
        fetch: recordingFetch,
      });
      const example = withOptional.forOperation(specOf(op));
      const body = localize(example.body);
      const before = sb.requests().at(-1)?.id ?? 0;
      let status = 200;
      let message = "";
      try {
        await client.callByKey(op.key, localize(example.params), body);
      } catch (error) {
        if (!(error instanceof HighLevelError) || error.code !== "HTTP_ERROR") throw error;
        status = error.status ?? 0;
        message = error.messages.join("; ");
      }

      expect(captured, op.key).toHaveLength(1);
      const request = captured[0]!;
      const headers = Object.fromEntries(request.headers);
      const contentType = request.headers.get("content-type") ?? "";
      let raw: unknown;
      if (contentType.startsWith("multipart/form-data")) raw = await request.formData();
      else if (request.body !== null) raw = await request.text();
      const token = agency ? sb.info.agencyToken : sb.info.locationToken;
      expect(request.headers.get("authorization"), op.key).toBe(`Bearer ${token}`);
      expect(request.headers.get("accept"), op.key).toBe("application/json");
      if (op.body?.contentType === "application/json") expect(contentType, op.key).toBe("application/json");
      expectValid(op, decode({ method: request.method, url: request.url, headers, body: raw }));

      // The sandbox's own verdict on the same request: routed to the operation, Version accepted, token
      // accepted, schema-valid. It answers 501 for operations it does not emulate, or a 400 "not found"
      // for made-up record ids; never 401/403/404/422.
      const logged = sb.requests({ after: before });
      expect(
        logged.map((e) => e.operationId),
        op.key,
      ).toEqual([op.key]);
      const refused =
        [401, 403, 404, 422].includes(status) || (status === 400 && /version|JSON/i.test(message));
      if (refused) failures.push(`${op.key}: ${status} ${message}`);
    }
    expect(failures).toEqual([]);
  });
});
