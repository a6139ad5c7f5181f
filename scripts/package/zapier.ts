// The Zapier export's prepared files, made by the app build and carried by the npm package:
// <dist>/zapier/hlconnect-engine.js (the engine bundle every exported app gets), engine-info.json
// (what it was made from, so an export from the sources can tell it is current) and template/ (the
// app's hand-written files). `hlconnect export zapier` copies them (packages/app/src/export/zapier/
// assets.ts): an installed hlconnect has no sources and no esbuild to bundle them with.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  ENGINE_FILE,
  ENGINE_INFO_FILE,
  type EngineInfo,
} from "../../packages/app/src/export/zapier/assets.ts";
import { bundleEngine } from "../../packages/app/src/export/zapier/engine-bundle.ts";
import { REPO } from "./bundle.ts";

const TEMPLATE = path.join(REPO, "packages/app/src/export/zapier/template");

/** Writes the prepared files into outDir (the `zapier` folder of a dist). */
export async function buildZapierAssets(outDir: string): Promise<EngineInfo> {
  // A source saved while the bundle is made counts as newer than it.
  const builtAt = Date.now();
  const engine = await bundleEngine();
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, ENGINE_FILE), engine.code);
  const info: EngineInfo = { builtAt, inputs: engine.inputs };
  writeFileSync(path.join(outDir, ENGINE_INFO_FILE), `${JSON.stringify(info, null, 1)}\n`);
  cpSync(TEMPLATE, path.join(outDir, "template"), { recursive: true });
  return info;
}
