// What a fresh install logs: no warning for a backfill with no connection to read through yet, nor for
// handing the scheduler over at shutdown (a warning there would read as a fault).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Engine } from "../../src/engine.ts";
import type { Logger } from "../../src/logger.ts";

const FLOW = `id: welcome
name: Welcome
trigger:
  op: highlevel.events.contact-create
steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input:
      contactId: "{{ trigger.id }}"
      tags: [welcome]
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("quiet logs", () => {
  it("a backfill with no connection yet and a shutdown warn about nothing", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hlconnect-quiet-"));
    dirs.push(dir);
    const warnings: string[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn: (_o: unknown, msg?: string) => void warnings.push(String(msg)),
      error: (_o: unknown, msg?: string) => void warnings.push(String(msg)),
    };
    const engine = await Engine.open({ dataDir: dir, secret: "a-quiet-test-passphrase", logger });
    expect((await engine.saveFlow(FLOW, "welcome.yaml")).errors).toEqual([]);
    await engine.start();
    expect(await engine.backfill.runOnce()).toEqual([]);
    await engine.stop();
    expect(warnings).toEqual([]);
  });
});
