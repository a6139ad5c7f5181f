import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../generate-api.ts";

const OUT = path.resolve(import.meta.dirname, "../../packages/client/src/generated");

describe("generated API files", () => {
  it("match what the generator makes from the vendored specs (not stale)", async () => {
    const files = await generate();
    expect(files.size).toBe(44); // operation table, operation types, request schemas, 41 service type files
    for (const [rel, text] of files) {
      expect(readFileSync(path.join(OUT, rel), "utf8"), `${rel} is stale: run npm run generate`).toBe(text);
    }
  });
});
