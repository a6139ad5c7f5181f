// An import the server stopped during (kill -9, a restart) is not left "running" forever: it reads as
// interrupted, saying where it stopped and how to go on, and resuming it from its kept upload sends
// only what was not sent before (the import state remembers the rest).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, type WebFixture, webFixture } from "./web-helpers.ts";

const SAMPLE = path.resolve(import.meta.dirname, "../../../specs/batchleads/sample-export.csv");

let f: WebFixture;
beforeAll(async () => {
  f = await webFixture();
});
afterAll(async () => {
  await f?.close();
});

async function finished(id: string) {
  for (;;) {
    const r = await f.call("GET", `/api/imports/${id}`);
    if (!["queued", "running"].includes(r.json.import.status)) return r.json.import;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("an interrupted import", () => {
  it("reads as interrupted after a stop, and resumes from its kept upload", async () => {
    const res = await f.app.request("/api/imports?file=sample-export.csv&dryRun=1", {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "text/csv" },
      body: readFileSync(SAMPLE),
    });
    const id = ((await res.json()) as { import: { id: string } }).import.id;
    const first = await finished(id);
    expect(first.status).toBe("succeeded");
    // What a kill -9 leaves: the record as last saved mid-way, still "running".
    const file = path.join(f.dir, "data", "imports", id, "import.json");
    const record = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(
      file,
      JSON.stringify({
        ...record,
        status: "running",
        summary: undefined,
        finishedAt: undefined,
        progress: { phase: "syncing", done: 12, total: 300, percent: 52 },
      }),
    );
    const seen = (await f.call("GET", `/api/imports/${id}`)).json.import;
    expect(seen.status).toBe("interrupted");
    expect(seen.error).toMatch(/stopped during this import \(sending: 12 of 300\)\. Resume it/);
    expect((await f.call("GET", "/api/imports")).json.imports[0]).toMatchObject({
      id,
      status: "interrupted",
    });

    const resumed = await f.call("POST", `/api/imports/${id}/resume`);
    expect(resumed.status).toBe(202);
    const done = await finished(id);
    expect(done.status).toBe("succeeded");
    expect(done.resumedAt).toEqual(expect.any(String));
    expect(done.summary.rowsRead).toBe(300);
    // Only an interrupted import resumes.
    const again = await f.call("POST", `/api/imports/${id}/resume`);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatch(/is succeeded: only an interrupted import can be resumed/);
    expect((await f.call("POST", "/api/imports/imp_nope/resume")).status).toBe(404);
  });
});
