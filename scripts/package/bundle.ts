// The esbuild step shared by the workspace build and the tarball: the CLI and the libraries compiled
// to ESM JavaScript, one entry per command group and library, shared code in chunks, npm packages
// left as imports (they install with the package; native ones such as better-sqlite3 must).
import { readFileSync } from "node:fs";
import path from "node:path";
import { build, type Metafile, type Plugin, transformSync } from "esbuild";

export const REPO = path.resolve(import.meta.dirname, "../..");

/** Entry name -> source, relative to the repository. The CLI loads its command groups by dynamic import. */
export const ENTRIES: Record<string, string> = {
  cli: "packages/app/src/cli/main.ts",
  client: "packages/client/src/index.ts",
  catalog: "packages/catalog/src/index.ts",
  engine: "packages/engine/src/engine.ts",
  sandbox: "packages/sandbox/src/index.ts",
  batchleads: "packages/batchleads/src/index.ts",
};

export interface BundleOptions {
  outdir: string;
  /** Where the repository's files (specs, examples, templates, ...) are, relative to outdir. */
  rootFromOutdir: string;
}

/**
 * Sources find their data files from their own location (`import.meta.url`, `import.meta.dirname`).
 * In a bundle every module shares its chunk's location, so each file's own location is written in,
 * as a path from the chunk to where that source sits in the repository (or the package's copy of it).
 */
function ownLocation(rootFromOutdir: string): Plugin {
  return {
    name: "own-location",
    setup(b) {
      b.onLoad({ filter: /[/\\]packages[/\\][^/\\]+[/\\]src[/\\].*\.ts$/ }, (args) => {
        const text = readFileSync(args.path, "utf8");
        if (!text.includes("import.meta.")) return { contents: text, loader: "ts" };
        // `define` replaces the expressions themselves, never text inside strings or comments.
        const { code } = transformSync(text, {
          loader: "ts",
          sourcefile: args.path,
          define: {
            "import.meta.url": "__hlOwnUrl",
            "import.meta.dirname": "__hlOwnDirname",
            "import.meta.filename": "__hlOwnFilename",
          },
        });
        const rel = path.relative(REPO, args.path).split(path.sep).join("/");
        const own = [
          `const __hlOwnUrl = new URL(${JSON.stringify(rootFromOutdir + rel)}, import.meta.url).href;`,
          "const __hlOwnFilename = __hlToPath(__hlOwnUrl);",
          "const __hlOwnDirname = __hlDir(__hlOwnFilename);",
        ].join("\n");
        return { contents: `${own}\n${code}`, loader: "js" };
      });
    },
  };
}

/**
 * Plain-JavaScript packages compiled into the bundle: Node resolves and compiles one file instead of
 * the hundred each has (zod alone is most of `ops list`'s start). Every other npm import stays an
 * import of the installed package: native code (better-sqlite3), code that loads its own files at run
 * time (pino's transports, ajv's generated validators), and the big or rarely used ones.
 */
export const BUNDLED = [
  "zod",
  "commander",
  "yaml",
  "luxon",
  "hono",
  "@hono/node-server",
  "libphonenumber-js",
  "csv-parse",
];

function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

const npmExternal: Plugin = {
  name: "npm-external",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const pkg = packageOf(args.path);
      if (pkg.startsWith("@hlconnect/") || BUNDLED.includes(pkg)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

export async function bundle(o: BundleOptions): Promise<Metafile> {
  const result = await build({
    absWorkingDir: REPO,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, path.join(REPO, v)])),
    outdir: o.outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Entries and chunks in one folder: a module's path back to the repository is the same in both.
    chunkNames: "chunk-[hash]",
    entryNames: "[name]",
    sourcemap: "linked",
    metafile: true,
    logLevel: "warning",
    // What the modules' own locations are computed with, in every output file.
    banner: {
      js: [
        'import { createRequire as __hlRequire } from "node:module";',
        // Bundled CommonJS packages (commander) require Node's builtins.
        "const require = __hlRequire(import.meta.url);",
        'import { fileURLToPath as __hlToPath } from "node:url";',
        'import { dirname as __hlDir } from "node:path";',
      ].join("\n"),
    },
    plugins: [npmExternal, ownLocation(o.rootFromOutdir)],
  });
  return result.metafile;
}
