// `npm run pack`: the installable tarball, dist/hlconnect-VERSION.tgz. One npm package, "hlconnect":
// the compiled CLI and libraries (the workspace packages are compiled in, so nothing private has to
// be published), the files they read at run time (specs, example flows, templates, the web app),
// and the npm packages left as imports as its dependencies, pinned by an npm-shrinkwrap.json taken
// from the workspace lockfile: an install gets the versions the tests ran with, and works offline
// from a warm npm cache.
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundle, ENTRIES, REPO } from "./bundle.ts";
import { buildZapierAssets } from "./zapier.ts";

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/** Files the compiled code reads, where its sources expect them (relative to the repository). */
const ASSETS = [
  "specs/highlevel",
  "specs/catalog",
  "examples/flows",
  "templates",
  "packages/client/src/generated/request-schemas.json",
  "packages/app/package.json",
  "packages/web/dist",
  "README.md",
];

const REGISTRY = "https://registry.npmjs.org/";
/** Loaded with require() only when needed (server/logging.ts: pino-pretty for a terminal). */
const REQUIRED_AT_RUN_TIME = ["pino-pretty"];
/**
 * Imported only where the sources are (a clone): the Zapier export bundles its engine with esbuild
 * there, and copies the package's prepared one otherwise (packages/app/dist/zapier, made below).
 */
const SOURCES_ONLY = ["esbuild"];

const readJson = (file: string) => JSON.parse(readFileSync(path.join(REPO, file), "utf8"));

export async function pack(outDir = path.join(REPO, "dist")): Promise<string> {
  const app = readJson("packages/app/package.json");
  const stage = mkdtempSync(path.join(tmpdir(), "hlconnect-pack-"));
  try {
    if (!existsSync(path.join(REPO, "packages/web/dist/index.html"))) {
      execFileSync("npm", ["run", "build:web"], { cwd: REPO, stdio: "inherit" });
    }
    // The Zapier export's files go where its compiled code looks for them (the app build's layout).
    const [meta] = await Promise.all([
      bundle({ outdir: path.join(stage, "dist"), rootFromOutdir: "../" }),
      buildZapierAssets(path.join(stage, "packages/app/dist/zapier")),
    ]);
    for (const asset of ASSETS) cpSync(path.join(REPO, asset), path.join(stage, asset), { recursive: true });
    const typeImports = declarations(path.join(stage, "types"));
    mkdirSync(path.join(stage, "bin"));
    cpSync(path.join(REPO, "packages/app/bin/hlconnect.mjs"), path.join(stage, "bin/hlconnect.mjs"));

    const imported = new Set<string>();
    for (const out of Object.values(meta.outputs))
      for (const i of out.imports)
        if (i.external && !i.path.startsWith("node:") && !builtinModules.includes(i.path))
          if (!SOURCES_ONLY.includes(packageOf(i.path))) imported.add(packageOf(i.path));
    // Packages the declarations name (zod's types in input schemas) are needed by TypeScript users,
    // and those the code loads with require() when it needs them the bundle cannot see.
    for (const name of [...typeImports, ...REQUIRED_AT_RUN_TIME]) imported.add(name);
    const lock = readJson("package-lock.json") as { packages: Record<string, LockEntry> };
    const dependencies: Record<string, string> = {};
    for (const name of [...imported].sort()) {
      const version = lock.packages[`node_modules/${name}`]?.version;
      if (!version) throw new Error(`the bundle imports ${name}, which the workspace lockfile does not hold`);
      dependencies[name] = version;
    }
    const manifest = {
      name: "hlconnect",
      version: app.version,
      description: readJson("package.json").description,
      license: "MIT",
      type: "module",
      engines: app.engines,
      bin: { hlconnect: "bin/hlconnect.mjs" },
      // The libraries, compiled and typed: `import { HighLevelClient } from "hlconnect/client"`.
      exports: Object.fromEntries(
        Object.entries(ENTRIES)
          .filter(([e]) => e !== "cli")
          .map(([e, source]) => [
            `./${e}`,
            { types: `./types/${source.replace(/\.ts$/, ".d.ts")}`, default: `./dist/${e}.js` },
          ]),
      ),
      dependencies,
    };
    writeFileSync(path.join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(
      path.join(stage, "npm-shrinkwrap.json"),
      `${JSON.stringify(shrinkwrap(manifest, lock.packages), null, 2)}\n`,
    );
    mkdirSync(outDir, { recursive: true });
    const out = execFileSync("npm", ["pack", "--pack-destination", outDir, "--silent"], {
      cwd: stage,
      encoding: "utf8",
    });
    return path.join(outDir, out.trim().split("\n").pop()!);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Declaration files of the libraries (tsc), made to stand alone in the package: the sources' `.ts`
 * specifiers become `.js` (which TypeScript maps to the .d.ts), and imports between the workspace
 * packages (`@hlconnect/client/...`) become paths within the package's types folder.
 */
function declarations(outDir: string): Set<string> {
  const bare = new Set<string>();
  execFileSync(
    process.execPath,
    [
      path.join(REPO, "node_modules/typescript/bin/tsc"),
      "-p",
      path.join(REPO, "scripts/package/tsconfig.dts.json"),
      "--outDir",
      outDir,
    ],
    { cwd: REPO, stdio: "inherit" },
  );
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory()
        ? walk(path.join(dir, d.name))
        : d.name.endsWith(".d.ts")
          ? [path.join(dir, d.name)]
          : [],
    );
  for (const file of walk(outDir)) {
    const text = readFileSync(file, "utf8")
      .replace(/(from |import\()"(\.{1,2}\/[^"]+)\.ts"/g, '$1"$2.js"')
      .replace(
        /(from |import\()"@hlconnect\/([a-z]+)(?:\/([^"]+))?"/g,
        (_m, lead: string, pkg: string, sub?: string) => {
          const target = path.join(outDir, "packages", pkg, "src", `${sub ?? "index"}.js`);
          let rel = path.relative(path.dirname(file), target).split(path.sep).join("/");
          if (!rel.startsWith(".")) rel = `./${rel}`;
          return `${lead}"${rel}"`;
        },
      );
    writeFileSync(file, text);
    for (const m of text.matchAll(/(?:from |import\()"([^".][^"]*)"/g)) {
      const spec = m[1]!;
      if (!spec.startsWith("node:") && !builtinModules.includes(spec)) bare.add(packageOf(spec));
    }
  }
  return bare;
}

function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/**
 * The lockfile's entries for the package's dependencies and everything they need, found the way Node
 * resolves them (nested node_modules first, then up). Flags that describe the workspace (dev-only)
 * are dropped: here every entry is a dependency of the package.
 */
function shrinkwrap(
  manifest: { name: string; version: string; dependencies: Record<string, string> },
  packages: Record<string, LockEntry>,
) {
  const picked: Record<string, LockEntry> = {};
  const resolve = (from: string, name: string): string | undefined => {
    let dir = from;
    for (;;) {
      const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
      if (packages[candidate] && !packages[candidate]!.link) return candidate;
      if (!dir) return undefined;
      const at = dir.lastIndexOf("/node_modules/");
      dir = at < 0 ? "" : dir.slice(0, at);
    }
  };
  const visit = (from: string, deps: Record<string, string>, optional: (n: string) => boolean) => {
    for (const name of Object.keys(deps)) {
      const where = resolve(from, name);
      if (!where) {
        if (optional(name)) continue;
        throw new Error(`${name} (needed by ${from || manifest.name}) is not in the lockfile`);
      }
      if (picked[where]) continue;
      const { dev: _d, devOptional: _o, peer: _p, ...entry } = packages[where]!;
      // Where npm ci got it from: with the integrity, an offline install finds it in npm's cache.
      const pkg = where.slice(where.lastIndexOf("node_modules/") + "node_modules/".length);
      entry.resolved ??= `${REGISTRY}${pkg}/-/${pkg.split("/").pop()}-${entry.version}.tgz`;
      picked[where] = entry;
      const e = packages[where]!;
      visit(where, e.dependencies ?? {}, () => false);
      visit(where, e.optionalDependencies ?? {}, () => true);
      visit(where, e.peerDependencies ?? {}, () => true);
    }
  };
  visit("", manifest.dependencies, () => false);
  const sorted = Object.fromEntries(Object.entries(picked).sort(([a], [b]) => a.localeCompare(b)));
  return {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": { name: manifest.name, version: manifest.version, dependencies: manifest.dependencies },
      ...sorted,
    },
  };
}

if (process.argv[1] === import.meta.filename) {
  const file = await pack(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
}
