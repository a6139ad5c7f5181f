// The npm package as a new user gets it: `npm run pack` makes dist/hlconnect-VERSION.tgz, which
// installs in an empty folder with `npm install ./hlconnect-*.tgz` (no workspace, no sources, no
// tsx) and runs `npx hlconnect --help`, `hlconnect sandbox --json` and `hlconnect serve --demo`.
//
// npm takes the dependencies' tarballs from its cache (warmed by `npm ci`; versions pinned by the
// package's npm-shrinkwrap.json) and, online, only their metadata from the registry. better-sqlite3's
// native module is given as a local prebuild made from the workspace's own build, so the install
// does not spend minutes compiling SQLite (prebuild-install's documented local-prebuilds option).
//
// `hlconnect export zapier` from the package copies the engine the package carries (it has no
// sources and no esbuild): the app it writes is compared file by file with an export from the
// sources, validated with zapier-platform-schema, and its own tests run against the package's sandbox.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pack } from "../../../scripts/package/pack.ts";
import { exportZapier, ZAPIER_CORE_VERSION } from "../src/export/zapier/project.ts";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../../..");
const INSTALL_TIMEOUT_MS = 600_000;
const requireHere = createRequire(import.meta.url);

/** An environment without the workspace's hints: the installed command must stand on its own. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.HLCONNECT_FROM_SOURCE;
  for (const k of Object.keys(env)) if (k.startsWith("npm_") || k.startsWith("HIGHLEVEL_")) delete env[k];
  return { ...env, ...extra };
}

/** Start a long-running command and resolve with its first stdout line. */
function firstLine(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const line = new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out.split("\n")[0]!);
    });
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited ${code}: ${stderr}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return child.exitCode;
    child.kill("SIGTERM");
    return new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  };
  return { line, stop, stderr: () => stderr };
}

describe("the npm package", () => {
  let dir: string;
  let packDir: string;
  let bin: string;
  beforeAll(async () => {
    const out = mkdtempSync(path.join(tmpdir(), "hlc-pack-"));
    packDir = out;
    const tarball = await pack(out);
    expect(path.basename(tarball)).toMatch(/^hlconnect-\d+\.\d+\.\d+\.tgz$/);

    dir = mkdtempSync(path.join(tmpdir(), "hlc-install-"));
    await run("cp", [tarball, dir]);
    const prebuilds = path.join(out, "prebuilds");
    mkdirSync(prebuilds);
    const sqlite = JSON.parse(
      (await run("node", ["-p", "JSON.stringify(require('better-sqlite3/package.json'))"], { cwd: ROOT }))
        .stdout,
    ) as { version: string };
    const name = `better-sqlite3-v${sqlite.version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
    await run("tar", [
      "czf",
      path.join(prebuilds, name),
      "-C",
      path.join(ROOT, "node_modules/better-sqlite3"),
      "build/Release/better_sqlite3.node",
    ]);

    await run(
      "npm",
      [
        "install",
        `./${path.basename(tarball)}`,
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
      ],
      {
        cwd: dir,
        env: cleanEnv({ npm_config_better_sqlite3_local_prebuilds: prebuilds }),
        timeout: INSTALL_TIMEOUT_MS,
      },
    );
    bin = path.join(dir, "node_modules/.bin/hlconnect");
  }, INSTALL_TIMEOUT_MS + 60_000);
  afterAll(async () => {
    // Hundreds of installed packages: removing them takes a while on a busy disk.
    await Promise.all([dir, packDir].filter(Boolean).map((d) => rm(d, { recursive: true, force: true })));
  }, 180_000);

  it("holds compiled code only: no sources, no tsx", () => {
    const pkg = path.join(dir, "node_modules/hlconnect");
    expect(existsSync(path.join(pkg, "dist/cli.js"))).toBe(true);
    expect(readdirSync(pkg).sort()).not.toContain("src");
    expect(existsSync(path.join(pkg, "packages/app/src"))).toBe(false);
    expect(existsSync(path.join(dir, "node_modules/tsx"))).toBe(false);
  });

  it("npx hlconnect --help and --version answer", async () => {
    const help = await run("npx", ["hlconnect", "--help"], { cwd: dir, env: cleanEnv() });
    expect(help.stdout).toMatch(/^Usage: hlconnect \[options\] \[command\]/);
    expect(help.stdout).toMatch(/^ {2}serve\b/m);
    const version = await run(bin, ["--version"], { cwd: dir, env: cleanEnv() });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("hlconnect sandbox --json serves the emulator", async () => {
    const s = firstLine(bin, ["sandbox", "--json", "--port", "0"], dir, cleanEnv());
    try {
      const info = JSON.parse(await s.line) as { baseUrl: string; locationToken: string; locationId: string };
      const res = await fetch(`${info.baseUrl}/locations/${info.locationId}`, {
        headers: { Authorization: `Bearer ${info.locationToken}`, Version: "2021-07-28" },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { location: { id: string } }).location.id).toBe(info.locationId);
    } finally {
      await s.stop();
    }
  });

  it("hlconnect serve --demo runs the example flows and serves the web app", async () => {
    const s = firstLine(bin, ["serve", "--demo", "--json", "--port", "0"], dir, cleanEnv());
    try {
      const info = JSON.parse(await s.line) as { serverUrl: string; apiToken: string };
      expect((await fetch(`${info.serverUrl}/healthz`)).status).toBe(200);
      const flows = (await (
        await fetch(`${info.serverUrl}/api/flows`, { headers: { Authorization: `Bearer ${info.apiToken}` } })
      ).json()) as { flows: Array<{ id: string }> };
      expect(flows.flows.map((f) => f.id)).toContain("welcome-call-task");
      const page = await fetch(`${info.serverUrl}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<div id="root">|<html/i);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it("the libraries type-check from TypeScript", async () => {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(
      path.join(dir, "use.ts"),
      'import { HighLevelClient } from "hlconnect/client";\n' +
        'import { CATALOG, type CatalogEntry } from "hlconnect/catalog";\n' +
        'const hl = new HighLevelClient({ credentials: "pit-x", locationId: "loc" });\n' +
        "const entry: CatalogEntry | undefined = CATALOG[0];\n" +
        'export const calls = [hl.call("get-contact", { contactId: "c1" }), entry?.key];\n' +
        "// @ts-expect-error an operation key that does not exist\n" +
        'hl.call("no-such-operation", {});\n',
    );
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    const r = await run(
      "node",
      [
        tsc,
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--skipLibCheck",
        "--types",
        "node",
        "--typeRoots",
        path.join(ROOT, "node_modules/@types"),
        "use.ts",
      ],
      { cwd: dir, env: cleanEnv() },
    ).catch((e: { stdout: string }) => ({ stdout: e.stdout, failed: true }));
    expect(r.stdout).toBe("");
  });

  it("the libraries load from plain JavaScript", async () => {
    const r = await run(
      "node",
      [
        "--input-type=module",
        "-e",
        'const { HighLevelClient, OPERATIONS } = await import("hlconnect/client"); const { CATALOG } = await import("hlconnect/catalog"); console.log(typeof HighLevelClient, OPERATIONS.length, CATALOG.length)',
      ],
      { cwd: dir, env: cleanEnv() },
    );
    expect(r.stdout.trim()).toMatch(/^function 576 \d{3}$/);
  });

  describe("hlconnect export zapier", () => {
    let apps: string;
    let oauthOut: string;
    let token: { dir: string; engine: string; next: Array<{ command: string }> };
    beforeAll(async () => {
      apps = mkdtempSync(path.join(tmpdir(), "hlc-pack-zapier-"));
      oauthOut = (await run(bin, ["export", "zapier", "oauth-app"], { cwd: apps, env: cleanEnv() })).stdout;
      token = JSON.parse(
        (
          await run(bin, ["export", "zapier", path.join(apps, "token-app"), "--auth", "token", "--json"], {
            cwd: apps,
            env: cleanEnv(),
          })
        ).stdout,
      );
      // zapier-platform-core as `npm install` in the app would give it (the workspace's copy: nothing
      // is downloaded); only that package is visible from the app, so the engine must stand alone.
      for (const app of ["oauth-app", "token-app"]) {
        mkdirSync(path.join(apps, app, "node_modules"));
        symlinkSync(
          path.join(ROOT, "node_modules/zapier-platform-core"),
          path.join(apps, app, "node_modules/zapier-platform-core"),
          "dir",
        );
      }
    }, 120_000);
    afterAll(async () => {
      if (apps) await rm(apps, { recursive: true, force: true });
    });

    it("copies the engine the package carries: the package has no esbuild", () => {
      expect(token.engine).toBe("build");
      expect(existsSync(path.join(dir, "node_modules/esbuild"))).toBe(false);
      const pkg = path.join(dir, "node_modules/hlconnect");
      expect(existsSync(path.join(pkg, "packages/app/dist/zapier/hlconnect-engine.js"))).toBe(true);
      expect(
        JSON.parse(readFileSync(path.join(pkg, "package.json"), "utf8")).dependencies,
      ).not.toHaveProperty("esbuild");
    });

    it("tells the next steps, from the folder to a private integration", () => {
      const lines = oauthOut.split("\n").map((l) => l.trim());
      const order = [
        "cd oauth-app",
        "npm install",
        `npm install --global zapier-platform-cli@${ZAPIER_CORE_VERSION}`,
        "zapier-platform login",
        'zapier-platform register "HighLevel (hlconnect)" --audience private',
        "zapier-platform push",
        "zapier-platform describe",
      ];
      const at = order.map((c) => lines.indexOf(c));
      expect(
        at.every((i) => i >= 0),
        oauthOut,
      ).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      expect(oauthOut).toMatch(/^ {2}zapier-platform env:set 1\.0\.0 CLIENT_ID=.* CLIENT_SECRET=/m);
      expect(oauthOut).toMatch(/^ {2}zapier-platform env:set 1\.0\.0 HIGHLEVEL_BASE_URL=/m);
      // A token app has no OAuth credentials to set.
      const commands = token.next.map((s) => s.command);
      expect(commands[0]).toBe(`cd ${path.join(apps, "token-app")}`);
      expect(commands.some((c) => c.includes("CLIENT_ID"))).toBe(false);
      expect(commands).toContain("zapier-platform push");
    });

    it("writes the same app as an export from the sources, file for file", async () => {
      const fromSources = path.join(apps, "from-sources");
      const r = await exportZapier(fromSources, { auth: "token", engineFrom: "sources" });
      expect(r.engine).toBe("sources");
      const files = (root: string): string[] =>
        readdirSync(root, { recursive: true, withFileTypes: true })
          .filter((d) => d.isFile())
          .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
          .sort();
      const installed = path.join(apps, "token-app");
      expect(files(installed)).toEqual(files(fromSources));
      for (const f of files(fromSources)) {
        expect(
          readFileSync(path.join(installed, f), "utf8") === readFileSync(path.join(fromSources, f), "utf8"),
          f,
        ).toBe(true);
      }
      const pkg = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
      expect(pkg).toMatchObject({
        name: "hlconnect-highlevel",
        version: "1.0.0",
        main: "index.js",
        dependencies: { "zapier-platform-core": ZAPIER_CORE_VERSION },
      });
      expect(Object.keys(pkg.dependencies)).toEqual(["zapier-platform-core"]);
      expect(readFileSync(path.join(installed, "README.md"), "utf8")).toContain(
        `zapier-platform-cli@${ZAPIER_CORE_VERSION}`,
      );
    }, 60_000);

    it("validates with zapier-platform-schema (0 errors), OAuth 2 and token apps", async () => {
      // In a separate process, as Zapier loads it: the app's require() calls resolve in its folder.
      const check = (app: string) =>
        run(
          "node",
          [
            "-e",
            `const { compileApp, serializeApp } = require(${JSON.stringify(requireHere.resolve("zapier-platform-core/src/tools/schema"))});
const { validateAppDefinition } = require(${JSON.stringify(requireHere.resolve("zapier-platform-schema"))});
const app = require("./index.js");
const errors = validateAppDefinition(serializeApp(compileApp(app))).errors;
console.log(JSON.stringify({ type: app.authentication.type, triggers: Object.keys(app.triggers).length, errors: errors.map(String) }));`,
          ],
          { cwd: path.join(apps, app), env: cleanEnv() },
        ).then((r) => JSON.parse(r.stdout) as { type: string; triggers: number; errors: string[] });
      const oauth = await check("oauth-app");
      expect(oauth).toMatchObject({ type: "oauth2", errors: [] });
      const tokenApp = await check("token-app");
      expect(tokenApp).toMatchObject({ type: "custom", errors: [] });
      expect(tokenApp.triggers).toBeGreaterThan(60);
    }, 60_000);

    it("its own tests run every step against the package's sandbox", async () => {
      const s = firstLine(
        bin,
        ["sandbox", "--json", "--port", "0", "--rate-limit", "100000/1000"],
        dir,
        cleanEnv(),
      );
      try {
        const info = JSON.parse(await s.line) as Record<string, string>;
        const app = path.join(apps, "token-app");
        const files = String(JSON.parse(readFileSync(path.join(app, "package.json"), "utf8")).scripts.test)
          .split(" ")
          .slice(2);
        const out = await run(process.execPath, ["--test", "--test-reporter=tap", ...files], {
          cwd: app,
          env: cleanEnv({
            HIGHLEVEL_BASE_URL: info.baseUrl!,
            HIGHLEVEL_TOKEN: info.locationToken!,
            HIGHLEVEL_LOCATION_ID: info.locationId!,
            HIGHLEVEL_COMPANY_ID: info.companyId!,
            HIGHLEVEL_AGENCY_TOKEN: info.agencyToken!,
            CLIENT_ID: info.clientId!,
            CLIENT_SECRET: info.clientSecret!,
          }),
          timeout: 280_000,
          maxBuffer: 64 * 1024 * 1024,
        }).catch((e: { stdout: string; stderr: string }) => ({ stdout: `${e.stdout}\n${e.stderr}` }));
        const count = (name: string) =>
          Number(new RegExp(`^# ${name} (\\d+)`, "m").exec(out.stdout)?.[1] ?? -1);
        expect(
          out.stdout.split("\n").filter((l) => /^\s*not ok/.test(l)),
          out.stdout.slice(-3000),
        ).toEqual([]);
        expect(count("fail")).toBe(0);
        expect(count("pass")).toBeGreaterThan(150);
        process.stdout.write(`exported app from the package: ${count("pass")} tests passed\n`);
      } finally {
        await s.stop();
      }
    }, 300_000);
  });
});
