// The Zapier export's prepared files (scripts/package/zapier.ts, made by the app build and carried by
// the npm package) and how an export from the sources chooses between them and bundling on demand.
// The sources are never touched: staleness is made by editing a copy's record of when it was built.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildZapierAssets } from "../../../scripts/package/zapier.ts";
import { ENGINE_FILE, ENGINE_INFO_FILE, type EngineInfo, engineCode } from "../src/export/zapier/assets.ts";
import { bundleEngine } from "../src/export/zapier/engine-bundle.ts";

describe("the Zapier export's prepared engine", () => {
  let built: string;
  let info: EngineInfo;
  beforeAll(async () => {
    built = path.join(mkdtempSync(path.join(tmpdir(), "hlc-zapier-assets-")), "zapier");
    info = await buildZapierAssets(built);
  }, 60_000);
  afterAll(() => rmSync(path.dirname(built), { recursive: true, force: true }));

  it("is the bundle an export makes from the sources, with what it was made from and the app's files", async () => {
    const fresh = await bundleEngine();
    expect(readFileSync(path.join(built, ENGINE_FILE), "utf8") === fresh.code).toBe(true);
    expect(info.inputs).toEqual(fresh.inputs);
    // The catalog, the client and the JSON they read (bundled in), never npm packages.
    expect(info.inputs).toContain("packages/app/src/export/zapier/engine-entry.ts");
    expect(info.inputs).toContain("packages/client/src/generated/request-schemas.json");
    expect(info.inputs.some((f) => f.startsWith("packages/catalog/src/"))).toBe(true);
    expect(info.inputs.some((f) => f.includes("node_modules"))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(built, ENGINE_INFO_FILE), "utf8"))).toEqual(info);
    for (const f of [
      "lib/runtime.cjs",
      "lib/shape.cjs",
      "lib/errors.cjs",
      "lib/authentication.cjs",
      "README.md",
    ])
      expect(existsSync(path.join(built, "template", f)), f).toBe(true);
  }, 60_000);

  it("is copied while current; bundled again from the sources once older than one of them", async () => {
    const current = await engineCode({ builtDir: built });
    expect(current.from).toBe("build");
    expect(current.code === readFileSync(path.join(built, ENGINE_FILE), "utf8")).toBe(true);

    const stale = path.join(path.dirname(built), "stale");
    rmSync(stale, { recursive: true, force: true });
    cpSync(built, stale, { recursive: true });
    // Built before any source was last saved: every input is newer.
    writeFileSync(path.join(stale, ENGINE_INFO_FILE), JSON.stringify({ ...info, builtAt: 0 }));
    writeFileSync(path.join(stale, ENGINE_FILE), "// an old engine\n");
    const rebuilt = await engineCode({ builtDir: stale });
    expect(rebuilt.from).toBe("sources");
    expect(rebuilt.code === current.code).toBe(true);

    // No record of its inputs, or no engine at all: bundled from the sources too.
    rmSync(path.join(stale, ENGINE_INFO_FILE));
    expect((await engineCode({ builtDir: stale })).from).toBe("sources");
    expect((await engineCode({ builtDir: path.join(stale, "nothing") })).from).toBe("sources");
    // Asked for explicitly (the package test compares the two), whatever the build holds.
    expect((await engineCode({ builtDir: built, from: "sources" })).from).toBe("sources");
  }, 120_000);
});
