// GET /api/openapi.json describes every /api route the server registers, and nothing it does not: a
// route added without its description (or removed with its description left) fails here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WebFixture, webFixture } from "./web-helpers.ts";

let f: WebFixture;

beforeAll(async () => {
  f = await webFixture();
});
afterAll(async () => {
  await f?.close();
});

describe("the OpenAPI document", () => {
  it("is served without signing in and lists exactly the registered /api routes", async () => {
    const res = await f.app.request("/api/openapi.json");
    expect(res.status).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: the document, checked below
    const doc = (await res.json()) as any;
    expect(doc.openapi).toBe("3.1.0");

    const registered = new Set(
      f.app.routes
        .filter((r) => r.path.startsWith("/api/") && r.method !== "ALL")
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
    );
    const described = new Set(
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, methods]) =>
        Object.keys(methods).map((m) => `${m} ${p}`),
      ),
    );
    expect(registered.size).toBeGreaterThan(35);
    expect(
      [...registered].filter((r) => !described.has(r)),
      "routes missing from openapi.ts",
    ).toEqual([]);
    expect(
      [...described].filter((d) => !registered.has(d)),
      "described routes that do not exist",
    ).toEqual([]);
  });

  it("gives every operation an id, its path parameters and responses that resolve", async () => {
    // biome-ignore lint/suspicious/noExplicitAny: the document
    const doc = (await (await f.app.request("/api/openapi.json")).json()) as any;
    const ids = new Set<string>();
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const r of refs) expect(doc.components.schemas[r.split("/").at(-1)!], r).toBeDefined();
    type Operation = { operationId: string; parameters?: { in: string; name: string }[]; responses: object };
    for (const [p, methods] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const [m, op] of Object.entries(methods)) {
        expect(ids.has(op.operationId), `${m} ${p}: duplicate operationId`).toBe(false);
        ids.add(op.operationId);
        const names = [...p.matchAll(/\{(\w+)\}/g)].map((x) => x[1]);
        const declared = (op.parameters ?? [])
          .filter((x: { in: string }) => x.in === "path")
          .map((x: { name: string }) => x.name);
        expect(declared, `${m} ${p}`).toEqual(names);
        expect(Object.keys(op.responses).length, `${m} ${p}`).toBeGreaterThan(0);
      }
    }
  });
});
