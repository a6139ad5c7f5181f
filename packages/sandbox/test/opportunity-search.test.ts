import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../src/index.ts";
import { startSandbox } from "../src/index.ts";
import { validateResponse } from "../src/spec/index.ts";
import { type Api, apiFor } from "./helpers.ts";

describe("POST /opportunities/search (advanced search)", () => {
  let sb: Sandbox;
  let api: Api;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, seed: 3 });
    api = apiFor(sb);
  });
  afterAll(async () => {
    await sb.close();
  });

  it("pages with page/limit, answers {opportunities, total} valid against the spec", async () => {
    const all = await api("/opportunities/search?location_id=" + sb.info.locationId + "&limit=100");
    const total = all.body.meta.total as number;
    expect(total).toBeGreaterThan(0);
    const seen: string[] = [];
    for (let page = 1; page <= total; page++) {
      const r = await api("/opportunities/search", {
        method: "POST",
        body: {
          locationId: sb.info.locationId,
          query: "",
          limit: 1,
          page,
          searchAfter: [],
          additionalDetails: {},
        },
      });
      expect(r.status).toBe(200);
      expect(validateResponse("search-opportunities-advanced", r.status, r.body).errors).toEqual([]);
      expect(r.body.total).toBe(total);
      seen.push(...r.body.opportunities.map((o: { id: string }) => o.id));
    }
    expect(new Set(seen).size).toBe(total);
  });

  it("refuses another location's search", async () => {
    const r = await api("/opportunities/search", {
      method: "POST",
      body: {
        locationId: sb.info.otherLocationId,
        query: "",
        limit: 5,
        page: 1,
        searchAfter: [],
        additionalDetails: {},
      },
    });
    expect(r.status).toBe(403);
  });
});
