// Web imports that go wrong outside the import itself: the server keeps running and the record
// says failed (review F17); upload names cannot reach the folder's other files and a refused
// upload leaves nothing behind (F12).
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ImportJobs } from "../src/server/imports.ts";
import { API_TOKEN, webFixture } from "./web-helpers.ts";

const SAMPLE = path.resolve(import.meta.dirname, "../../../specs/batchleads/sample-export.csv");

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "hlc-imports-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("web import failures", () => {
  it("keeps a failed record (and logs) when the final save throws, instead of an unhandled rejection", async () => {
    const dir = dataDir();
    const logged: unknown[] = [];
    const jobs = new ImportJobs(dir, { error: (...args: unknown[]) => logged.push(args) } as never);
    const record = await jobs.accept("sample.csv", readFileSync(SAMPLE), { dryRun: true });
    // import.json becomes a non-empty folder: every save of the record now throws.
    const json = path.join(dir, "imports", record.id, "import.json");
    rmSync(json);
    mkdirSync(json);
    writeFileSync(path.join(json, "x"), "");
    jobs.start(record);
    await expect(jobs.idle()).resolves.toBeUndefined();
    const after = jobs.get(record.id);
    expect(after?.status).toBe("failed");
    expect(after?.error).toBeTruthy();
    expect(logged.length).toBe(1);
  });

  it("keeps the upload under a fixed name: `..`, `import.json` and `rejected.csv` import like any file", async () => {
    const dir = dataDir();
    const jobs = new ImportJobs(dir);
    const text = readFileSync(SAMPLE, "utf8");
    const header = text.split(/\r?\n/)[0]!;
    const blank = header
      .split(",")
      .map((h) => (h === "First Name" ? "Nobody" : ""))
      .join(",");
    const bytes = Buffer.from(`${text.trimEnd()}\n${blank}\n`);
    for (const name of ["..", "import.json", "rejected.csv", "../../etc/x.xlsx.csv"]) {
      const record = await jobs.accept(name, bytes, { dryRun: true });
      jobs.start(record);
      await jobs.idle();
      const done = jobs.get(record.id);
      expect(done?.status, name).toBe("succeeded");
      expect(done?.summary?.rowsRead, name).toBe(301);
      expect(done?.summary?.rowsRejected, name).toBe(1);
      const folder = path.join(dir, "imports", record.id);
      expect(readFileSync(path.join(folder, done!.upload!)), name).toEqual(bytes);
      expect(readdirSync(folder).sort(), name).toEqual(["import.json", "rejected.csv", "upload.csv"]);
    }
    expect(existsSync(path.join(dir, "etc"))).toBe(false);
  });

  it("removes a refused (422) upload's folder", async () => {
    const dir = dataDir();
    const jobs = new ImportJobs(dir);
    await expect(
      jobs.accept("contacts.csv", Buffer.from("name,phone\nAnn,555\n"), { dryRun: true }),
    ).rejects.toMatchObject({
      status: 422,
    });
    expect(readdirSync(path.join(dir, "imports"))).toEqual([]);
  });

  it("refuses (409, naming it) a second real import while one is under way; a dry run still goes", async () => {
    const dir = dataDir();
    const jobs = new ImportJobs(dir);
    const bytes = readFileSync(SAMPLE);
    const first = await jobs.accept("a.csv", bytes, { dryRun: false, locationId: "L1", connectionId: "c1" });
    for (const locationId of ["L1", "L2"]) {
      const second = jobs.accept("b.csv", bytes, { dryRun: false, locationId, connectionId: "c1" });
      await expect(second).rejects.toMatchObject({ status: 409 });
      await expect(second).rejects.toThrow(new RegExp(`${first.id}.*location L1`));
    }
    // The refused uploads left nothing behind; a dry run does not touch the state file.
    expect(readdirSync(path.join(dir, "imports"))).toEqual([first.id]);
    const dry = await jobs.accept("c.csv", bytes, { dryRun: true });
    expect(dry.status).toBe("queued");
    // Once the first one is over (here: it fails, having no client), the next real import is taken.
    jobs.start(first);
    await jobs.idle();
    expect(jobs.get(first.id)?.status).toBe("failed");
    const next = await jobs.accept("b.csv", bytes, { dryRun: false, locationId: "L1", connectionId: "c1" });
    expect(next.status).toBe("queued");
  });

  it("refuses (400, naming its locations) a real import into a location the connection does not hold", async () => {
    const f = await webFixture();
    try {
      const c = await f.engine.addConnection(
        { label: "One", kind: "pit", locationIds: ["loc-held"] },
        { privateToken: "pit-not-used" },
      );
      const res = await f.app.request(`/api/imports?file=x.csv&connectionId=${c.id}&locationId=loc-other`, {
        method: "POST",
        headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "text/csv" },
        body: readFileSync(SAMPLE),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe(
        `connection ${c.id} serves location loc-held, not loc-other`,
      );
      expect(
        existsSync(path.join(f.dir, "data", "imports"))
          ? readdirSync(path.join(f.dir, "data", "imports"))
          : [],
      ).toEqual([]);
    } finally {
      await f.close();
    }
  });
});
