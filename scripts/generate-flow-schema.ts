// Generates docs/flow.schema.json, the JSON Schema editors use to complete and check flow files
// (catalog keys as enums, each operation's input fields). `--check` fails when it is stale.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { flowJsonSchema } from "../packages/engine/src/flows/json-schema.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "docs/flow.schema.json");

const text = `${JSON.stringify(flowJsonSchema(), null, 2)}\n`;
const rel = path.relative(ROOT, OUT);

if (process.argv.includes("--check")) {
  if (!existsSync(OUT) || readFileSync(OUT, "utf8") !== text) {
    console.error(`${rel} is stale: run \`npx tsx scripts/generate-flow-schema.ts\` and commit.`);
    process.exit(1);
  }
  console.log(`${rel} is up to date`);
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${rel}`);
}
