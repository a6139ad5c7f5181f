// The default connection (the first added, oldest createdAt then id) is what every unnamed choice
// falls back to: the engine's runs, the scopes and pause bookkeeping. Removing it hands the role on.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultConnection, findDefaultConnection } from "../src/connections/default.ts";
import { flowsUsing } from "../src/connections/status.ts";
import { connectionFor } from "../src/runner/environment.ts";
import { openSqliteStore } from "../src/store/sqlite/store.ts";
import type { Store } from "../src/store/types.ts";

describe("defaultConnection", () => {
  it("is the oldest, ties broken by id, whatever the order given", () => {
    const a = { id: "b-late", createdAt: 300 };
    const b = { id: "z-first", createdAt: 100 };
    const c = { id: "a-first", createdAt: 100 };
    expect(defaultConnection([a, b, c])?.id).toBe("a-first");
    expect(defaultConnection([b, a])?.id).toBe("z-first");
    expect(defaultConnection([])).toBeUndefined();
  });
});

describe("the default connection in the store", () => {
  let dir: string | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    store = undefined;
    dir = undefined;
  });

  it("takes flows that name none; the next oldest takes over when it is removed", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "hlconnect-default-"));
    let clock = 1_000;
    store = await openSqliteStore({
      file: path.join(dir, "store.db"),
      secret: "a-default-connection-test-secret",
      now: () => clock,
    });
    const s = store;
    // Ids sort the other way round from their age: the order is by age, not by id.
    const first = await s.saveConnection({
      id: "zz-first",
      label: "First",
      kind: "pit",
      locationIds: ["loc-1"],
    });
    clock += 10;
    const second = await s.saveConnection({
      id: "mm-second",
      label: "Second",
      kind: "pit",
      locationIds: ["loc-2"],
    });
    clock += 10;
    await s.saveConnection({ id: "aa-third", label: "Third", kind: "pit", locationIds: ["loc-3"] });
    expect((await findDefaultConnection(s))?.id).toBe(first.id);

    const unnamed = { id: "f", connection: undefined };
    expect((await connectionFor(s, unnamed)).id).toBe("zz-first");
    // An event's location still picks the connection holding it.
    expect((await connectionFor(s, unnamed, "loc-3")).id).toBe("aa-third");
    // A location nobody holds falls back to the default too.
    expect((await connectionFor(s, unnamed, "loc-nobody")).id).toBe("zz-first");
    expect((await connectionFor(s, { id: "f", connection: "mm-second" })).id).toBe("mm-second");

    await s.saveFlow({ id: "f", name: "F", source: "id: f\n", enabled: true, connectionIds: [] });
    expect((await flowsUsing(s, "zz-first")).map((f) => f.id)).toEqual(["f"]);
    expect(await flowsUsing(s, "mm-second")).toEqual([]);

    await s.deleteConnection(first.id);
    expect((await connectionFor(s, unnamed)).id).toBe(second.id);
    expect((await flowsUsing(s, "mm-second")).map((f) => f.id)).toEqual(["f"]);
  });

  it("says to add a connection when there is none", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "hlconnect-default-"));
    store = await openSqliteStore({
      file: path.join(dir, "store.db"),
      secret: "a-default-connection-test-secret",
    });
    await expect(connectionFor(store, { id: "f", connection: undefined })).rejects.toThrow(
      /no HighLevel connection yet/,
    );
  });
});
