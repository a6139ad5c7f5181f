// The app's version, read once from packages/app/package.json: the sign-in answer, the OpenAPI
// document and the MCP server's handshake all report it, so a version bump is one edit.
import { readFileSync } from "node:fs";
import path from "node:path";

export const APP_VERSION: string = (
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../package.json"), "utf8")) as {
    version: string;
  }
).version;
