// Request counts are labelled with the route that answered, not the web app's catch-all that also
// matches every GET: a dashboard must tell /api/runs/:id from a page load.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WebFixture, webFixture } from "./web-helpers.ts";

let f: WebFixture;
beforeAll(async () => {
  f = await webFixture();
});
afterAll(async () => {
  await f?.close();
});

describe("metrics labels", () => {
  it("labels a GET by the API route that answered it", async () => {
    expect((await f.call("GET", "/api/runs/run_missing")).status).toBe(404);
    expect((await f.call("GET", "/api/flows")).status).toBe(200);
    const text = await (await f.app.request("/metrics")).text();
    expect(text).toMatch(
      /hlconnect_http_requests_total\{method="GET",route="\/api\/runs\/:id",status="404"\} 1/,
    );
    expect(text).toMatch(/hlconnect_http_requests_total\{method="GET",route="\/api\/flows",status="200"\} 1/);
  });
});
