#!/usr/bin/env node
// The `hlconnect` command. It runs the compiled CLI (dist/, made by `npm run build`). In a clone of
// the repository it runs the TypeScript sources instead (through tsx, a development dependency)
// when HLCONNECT_FROM_SOURCE=1, when there is no build, or when a source changed after the build:
// nobody runs stale code by accident. Only builtins are imported statically, and this file uses no
// newer syntax, so an old Node reaches the version check below instead of failing on something else.
import { existsSync, readFileSync, statSync } from "node:fs";

const here = new URL(".", import.meta.url);
const pkg = JSON.parse(readFileSync(new URL("../package.json", here), "utf8"));
checkNode(pkg.engines?.node);

const dist = new URL("../dist/cli.js", here);
const source = new URL("../src/cli/main.ts", here);
const hasSource = existsSync(source);
const mode = process.env.HLCONNECT_FROM_SOURCE;

let fromSource = false;
if (mode === "1") fromSource = true;
else if (mode !== "0" && hasSource) {
  const why = !existsSync(dist) ? "there is no build" : changedSince();
  if (why) {
    fromSource = true;
    if (process.stderr.isTTY)
      process.stderr.write(
        `hlconnect: running the sources (${why}; \`npm run build\` makes it start fast)\n`,
      );
  }
}

if (fromSource) {
  if (!hasSource) fail("HLCONNECT_FROM_SOURCE=1, but this installation has no sources: unset it");
  const { register } = await import("tsx/esm/api");
  register();
  await (await import(source.href)).main(process.argv);
} else {
  if (!existsSync(dist)) fail("this installation has no compiled CLI (dist/cli.js): run `npm run build`");
  await (await import(dist.href)).main(process.argv);
}

/** Refuse, naming the version needed, before anything else can fail in a less clear way. */
function checkNode(range) {
  const need = /^>=\s*(\d+)(?:\.(\d+))?/.exec(range || "");
  if (!need) return;
  const [major, minor] = process.versions.node.split(".").map(Number);
  const wantMajor = Number(need[1]);
  const wantMinor = Number(need[2] || 0);
  if (major > wantMajor || (major === wantMajor && minor >= wantMinor)) return;
  fail(
    `needs Node.js ${range} (this is ${process.version}): install Node ${wantMajor}.${wantMinor} or newer`,
  );
}

/** Why the build is older than the sources it was made from, or "" when it is current. */
function changedSince() {
  let info;
  try {
    info = JSON.parse(readFileSync(new URL("../dist/build-info.json", here), "utf8"));
  } catch {
    return "the build is incomplete";
  }
  const root = new URL("../../../", here);
  for (const file of info.inputs) {
    let mtime;
    try {
      mtime = statSync(new URL(file, root)).mtimeMs;
    } catch {
      return `${file} is gone`;
    }
    if (mtime > info.builtAt) return `${file} changed since the last build`;
  }
  return "";
}

function fail(message) {
  process.stderr.write(`hlconnect: ${message}\n`);
  process.exit(1);
}
