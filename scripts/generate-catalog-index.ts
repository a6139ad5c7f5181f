// Generates packages/catalog/src/generated/summaries.json: every entry's summary (what `ops list`
// prints), so listing the catalog does not build the catalog (its input schemas cost most of a
// second at start-up). `--check` fails when it is stale.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CATALOG, summarize } from "../packages/catalog/src/index.ts";

const OUT = path.resolve(import.meta.dirname, "../packages/catalog/src/generated/summaries.json");
const text = `${JSON.stringify(CATALOG.map(summarize), null, 1)}\n`;

if (process.argv.includes("--check")) {
  if (!existsSync(OUT) || readFileSync(OUT, "utf8") !== text) {
    process.stderr.write(`${path.relative(process.cwd(), OUT)} is stale: run \`npm run generate\`\n`);
    process.exit(1);
  }
  process.stdout.write(`${path.relative(process.cwd(), OUT)} is current\n`);
} else {
  writeFileSync(OUT, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), OUT)} (${CATALOG.length} entries)\n`);
}
