// loadFlowsFromDir: every *.yaml / *.yml file of a directory, one result per file, flow ids unique.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadFlowsFromDir } from "../src/flows/index.ts";

const flow = (id: string, extra = "") => `# a comment first
id: ${id}
name: Flow ${id}
trigger:
  webhook: {}
steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input: { contactId: "{{ trigger.contactId }}", tags: [${id}] }
${extra}`;

describe("loadFlowsFromDir", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "hlconnect-flows-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads *.yaml and *.yml files in name order and skips the rest", () => {
    writeFileSync(path.join(dir, "b.yml"), flow("second"));
    writeFileSync(path.join(dir, "a.yaml"), flow("first"));
    writeFileSync(path.join(dir, "notes.txt"), "not a flow");
    mkdirSync(path.join(dir, "sub.yaml"));
    const results = loadFlowsFromDir(dir);
    expect(results.map((r) => [path.basename(r.file), r.flow?.id, r.errors])).toEqual([
      ["a.yaml", "first", []],
      ["b.yml", "second", []],
    ]);
    expect(results[0]?.flow?.file).toBe(path.join(dir, "a.yaml"));
  });

  it("keeps each file's errors with its file", () => {
    writeFileSync(path.join(dir, "good.yaml"), flow("good"));
    writeFileSync(path.join(dir, "bad.yaml"), flow("bad", "enabled: maybe\n"));
    const [bad, good] = loadFlowsFromDir(dir);
    expect(good?.flow?.id).toBe("good");
    expect(bad?.flow).toBeUndefined();
    expect(bad?.errors).toEqual([
      {
        file: path.join(dir, "bad.yaml"),
        line: 10,
        column: 10,
        path: "enabled",
        message: "enabled must be true or false",
      },
    ]);
  });

  it("refuses a flow id that an earlier file uses, at the later file's id", () => {
    writeFileSync(path.join(dir, "a.yaml"), flow("same"));
    writeFileSync(path.join(dir, "b.yaml"), flow("same"));
    const [a, b] = loadFlowsFromDir(dir);
    expect(a?.flow?.id).toBe("same");
    expect(b?.flow).toBeUndefined();
    expect(b?.errors).toEqual([
      {
        file: path.join(dir, "b.yaml"),
        line: 2,
        column: 5,
        path: "id",
        message: 'flow id "same" is already used by a.yaml',
        suggestion: "Give each flow its own id.",
      },
    ]);
  });

  it("reports a directory that is not there instead of throwing", () => {
    const missing = path.join(dir, "nope");
    expect(loadFlowsFromDir(missing)).toEqual([
      {
        file: missing,
        errors: [
          {
            file: missing,
            line: 1,
            column: 1,
            path: "",
            message: "cannot read the flows directory: no such directory",
          },
        ],
      },
    ]);
  });
});
