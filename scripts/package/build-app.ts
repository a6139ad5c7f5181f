// `npm run build:app`: the CLI and libraries compiled into packages/app/dist, used by the `hlconnect`
// bin, and the Zapier export's prepared engine in packages/app/dist/zapier. The build records its
// inputs so the bin can tell when a source changed since (and then runs the sources rather than a
// stale build).
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { bundle, REPO } from "./bundle.ts";
import { buildZapierAssets } from "./zapier.ts";

export const APP_DIST = path.join(REPO, "packages/app/dist");

const t0 = performance.now();
// A source saved while the build runs counts as newer than the build.
const startedAt = Date.now();
rmSync(APP_DIST, { recursive: true, force: true });
// Two esbuild runs at once: the engine bundle adds little to the build's time this way.
const [meta] = await Promise.all([
  bundle({ outdir: APP_DIST, rootFromOutdir: "../../../" }),
  buildZapierAssets(path.join(APP_DIST, "zapier")),
]);
const inputs = Object.keys(meta.inputs).filter((f) => !f.includes("node_modules"));
writeFileSync(
  path.join(APP_DIST, "build-info.json"),
  `${JSON.stringify({ builtAt: startedAt, inputs }, null, 1)}\n`,
);
process.stdout.write(
  `built packages/app/dist (${inputs.length} sources) in ${Math.round(performance.now() - t0)} ms\n`,
);
