// BatchLeads imports from the web app, in-process: the dry-run summary is the one
// `hlconnect import batchleads --dry-run --json` prints for the same file; rejected rows come back
// with their reasons; a file that is not an export is a 422 naming the expected columns; past
// imports stay listed.
import { execFile } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, type WebFixture, webFixture } from "./web-helpers.ts";

const SAMPLE = path.resolve(import.meta.dirname, "../../../specs/batchleads/sample-export.csv");
const BIN = path.resolve(import.meta.dirname, "../bin/hlconnect.mjs");

let f: WebFixture;

beforeAll(async () => {
  f = await webFixture();
});
afterAll(async () => {
  await f?.close();
});

async function upload(body: RequestInit["body"], query: string, contentType: string | null = "text/csv") {
  const res = await f.app.request(`/api/imports?${query}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${API_TOKEN}`,
      ...(contentType ? { "content-type": contentType } : {}),
    },
    body,
  });
  // biome-ignore lint/suspicious/noExplicitAny: answers checked by expect()
  return { status: res.status, json: (await res.json()) as any };
}

/** Poll until the import is over (no fixed wait: as long as it takes, within the test's timeout). */
async function finished(id: string) {
  for (;;) {
    const r = await f.call("GET", `/api/imports/${id}`);
    if (r.json.import.status === "succeeded" || r.json.import.status === "failed") return r.json.import;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What differs between two runs on the same file: where it was, its id, how long it took. */
function comparable(summary: Record<string, unknown>) {
  const { file: _f, importId: _i, durationMs: _d, rejectedFile: _r, ...rest } = summary;
  return rest;
}

describe("BatchLeads imports", () => {
  it("gives the same dry-run summary as `hlconnect import batchleads --dry-run --json`", async () => {
    const res = await upload(readFileSync(SAMPLE), "file=sample-export.csv&dryRun=1");
    expect(res.status).toBe(202);
    expect(res.json.import.id).toMatch(/^imp_/);
    const done = await finished(res.json.import.id);
    expect(done.status).toBe("succeeded");
    expect(done.progress.percent).toBe(100);
    expect(done.summary.rowsRead).toBe(300);

    const copy = path.join(f.dir, "cli-sample.csv");
    copyFileSync(SAMPLE, copy);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [BIN, "import", "batchleads", copy, "--dry-run", "--json"],
      {
        env: { ...process.env, HLCONNECT_HOME: path.join(f.dir, "home") },
      },
    );
    const cli = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(comparable(done.summary)).toEqual(comparable(cli));
  });

  it("shows the rejected rows with their reasons, from a multipart upload", async () => {
    const text = readFileSync(SAMPLE, "utf8");
    const header = text.split(/\r?\n/)[0]!;
    const blank = header
      .split(",")
      .map((h) => (h === "First Name" ? "Nobody" : ""))
      .join(",");
    const form = new FormData();
    form.append(
      "file",
      new Blob([`${text.trimEnd()}\n${blank}\n`], { type: "text/csv" }),
      "with-bad-row.csv",
    );
    const res = await upload(form, "dryRun=1", null);
    expect(res.status).toBe(202);
    const done = await finished(res.json.import.id);
    expect(done.file).toBe("with-bad-row.csv");
    expect(done.summary.rowsRejected).toBe(1);
    expect(done.rejected).toEqual([
      expect.objectContaining({ row: 301, values: expect.objectContaining({ "First Name": "Nobody" }) }),
    ]);
    expect(done.rejected[0].reason.length).toBeGreaterThan(5);
  });

  it("refuses a file that is not an export with a 422 naming the expected columns", async () => {
    const csv = await upload("name,phone\nAnn,555\n", "file=contacts.csv&dryRun=1");
    expect(csv.status).toBe(422);
    expect(csv.json.error).toMatch(/"contacts\.csv" is not a BatchLeads export: .*Property Address/);
    expect(csv.json.error).toMatch(/name, phone/);
    const binary = await upload(new Uint8Array([0, 1, 2, 3, 0, 5]), "file=photo.png&dryRun=1");
    expect(binary.status).toBe(422);
    expect(binary.json.error).toMatch(/binary content/);
    expect((await upload("", "dryRun=1")).status).toBe(400);
    // A real import needs a connection to go through.
    const noConnection = await upload(readFileSync(SAMPLE), "file=x.csv");
    expect(noConnection.status).toBe(400);
    expect(noConnection.json.error).toMatch(/connection/);
  });

  it("lists past imports, newest first, and refuses an upload over 20 MB", async () => {
    const list = await f.call("GET", "/api/imports");
    expect(list.json.imports.map((i: { file: string }) => i.file)).toEqual([
      "with-bad-row.csv",
      "sample-export.csv",
    ]);
    expect(list.json.imports[0].rejected).toBeUndefined();
    expect((await f.call("GET", "/api/imports/imp_nope")).status).toBe(404);
    const big = path.join(f.dir, "big.csv");
    writeFileSync(big, Buffer.alloc(21 * 1024 * 1024, 97));
    const tooBig = await upload(readFileSync(big), "dryRun=1");
    expect(tooBig.status).toBe(413);
  });
});
