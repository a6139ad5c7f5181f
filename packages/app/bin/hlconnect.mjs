#!/usr/bin/env node
// hlconnect runs from its TypeScript sources: tsx compiles them on load (no build step to forget).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
await main(process.argv);
