// `npm run bench [-- --quick]`: every figure in one run, printed as a table and written to
// bench/results.json. Benchmarks are not part of `npm test`.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Figure, machine, printTable, writeResults } from "./lib/report.ts";
import { batchLeadsImport } from "./suites/batchleads.ts";
import { ceilingUtilisation, manyLocations } from "./suites/ceiling.ts";
import { burstAgainstLimit, clientOverhead } from "./suites/client.ts";
import { ingestUnderLoad } from "./suites/ingest.ts";
import { instantTriggerLatency } from "./suites/latency.ts";
import { scaleOut } from "./suites/scale-out.ts";
import { startup } from "./suites/startup.ts";
import { webServer } from "./suites/web.ts";

const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);

const suites: Array<[string, () => Promise<Figure[]>]> = [
  ["client-overhead", () => clientOverhead(quick)],
  ["rate-limit-burst", () => burstAgainstLimit()],
  ["ceiling", () => ceilingUtilisation(quick)],
  ["many-locations", () => manyLocations(quick)],
  ["latency", () => instantTriggerLatency(quick)],
  ["ingest", () => ingestUnderLoad(quick)],
  ["batchleads", () => batchLeadsImport(quick)],
  ["startup", () => startup(quick)],
  ["web", () => webServer(quick)],
  ["scale-out", () => scaleOut(quick)],
];

const m = machine();
process.stdout.write(
  `hlconnect bench${quick ? " (quick)" : ""}: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, node ${m.node}\n\n`,
);
const figures: Figure[] = [];
const began = performance.now();
for (const [name, run] of suites) {
  if (only && !only.split(",").includes(name)) continue;
  const t0 = performance.now();
  process.stderr.write(`running ${name}...\n`);
  figures.push(...(await run()));
  process.stderr.write(`  ${name} took ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
printTable(figures);
process.stdout.write(`\nall suites took ${((performance.now() - began) / 1000).toFixed(1)} s\n`);
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), "results.json");
writeResults(out, figures, quick);
process.stdout.write(`\nwritten to ${path.relative(process.cwd(), out)}\n`);
