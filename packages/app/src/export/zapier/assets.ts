// Where an export gets the files it copies into every app: the hand-written ones (template/) and the
// bundled engine (lib/hlconnect-engine.js). The app build prepares both in packages/app/dist/zapier
// (scripts/package/zapier.ts), and the npm package carries that folder, because an installed
// hlconnect has neither the sources nor esbuild. In a clone the sources win: the template is read
// where it is, and the engine is bundled on demand when the build's copy is missing or older than
// any file it was made from, so an export never carries a stale catalog.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ExportError } from "./errors.ts";

/** The built folder, as the app build and the package lay it out. */
export const BUILT_DIR = fileURLToPath(new URL("../../../dist/zapier/", import.meta.url));
export const ENGINE_FILE = "hlconnect-engine.js";
/** What the built engine was made from and when: the bundle is current while none of them changed. */
export const ENGINE_INFO_FILE = "engine-info.json";

const SOURCE_TEMPLATE = fileURLToPath(new URL("./template/", import.meta.url));
const ENGINE_ENTRY = fileURLToPath(new URL("./engine-entry.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../../../", import.meta.url));

export interface EngineInfo {
  builtAt: number;
  inputs: string[];
}

const reinstall =
  "this hlconnect installation is incomplete: reinstall it (or run `npm run build` in a clone)";

/** The folder holding the app's hand-written files (lib/, test/, README.md). */
export function templateDir(): string {
  if (existsSync(SOURCE_TEMPLATE)) return SOURCE_TEMPLATE;
  const built = path.join(BUILT_DIR, "template");
  if (existsSync(built)) return built;
  throw new ExportError(`the Zapier app's files are missing (${built}): ${reinstall}`);
}

/** Why the built engine may not be used from the sources, or "" when it is current. */
function staleness(builtDir: string): string {
  const file = path.join(builtDir, ENGINE_FILE);
  if (!existsSync(file)) return "there is no built engine";
  let info: EngineInfo;
  try {
    info = JSON.parse(readFileSync(path.join(builtDir, ENGINE_INFO_FILE), "utf8")) as EngineInfo;
  } catch {
    return "the built engine's record of its inputs is missing";
  }
  for (const input of info.inputs) {
    const source = path.join(ROOT, input);
    if (!existsSync(source)) return `${input} is gone`;
    if (statSync(source).mtimeMs > info.builtAt) return `${input} changed since the build`;
  }
  return "";
}

export interface EngineCode {
  code: string;
  /** "build": the copy in packages/app/dist/zapier; "sources": bundled now. */
  from: "build" | "sources";
}

/**
 * The engine for the app. `from: "sources"` bundles it now whatever the build holds (tests compare
 * the two); by default the build's copy is used when there are no sources or it is current.
 * `builtDir` is for tests: another build's folder.
 */
export async function engineCode(opts: { from?: "sources"; builtDir?: string } = {}): Promise<EngineCode> {
  const builtDir = opts.builtDir ?? BUILT_DIR;
  const file = path.join(builtDir, ENGINE_FILE);
  if (!existsSync(ENGINE_ENTRY)) {
    if (opts.from === "sources") {
      throw new ExportError("this installation has no sources to bundle the Zapier engine from");
    }
    if (!existsSync(file)) throw new ExportError(`the Zapier engine is missing (${file}): ${reinstall}`);
    return { code: readFileSync(file, "utf8"), from: "build" };
  }
  if (opts.from !== "sources" && !staleness(builtDir)) {
    return { code: readFileSync(file, "utf8"), from: "build" };
  }
  // Loaded only here: esbuild is a development dependency, present in a clone.
  const { bundleEngine } = await import("./engine-bundle.ts");
  return { code: (await bundleEngine()).code, from: "sources" };
}
