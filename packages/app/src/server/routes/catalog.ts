// /api/catalog: the triggers and actions flows can use, as summaries and one at a time in full.
import { CATALOG, describeEntry, getEntry, summarize } from "@hlconnect/catalog";
import { Hono } from "hono";
import { HttpError } from "../http-errors.ts";

export function catalogRoutes(): Hono {
  const app = new Hono();

  app.get("/", (c) => {
    const kind = c.req.query("kind");
    if (kind && kind !== "trigger" && kind !== "action") {
      throw new HttpError(400, `kind must be "trigger" or "action", got "${kind}"`);
    }
    const category = c.req.query("category")?.toLowerCase();
    const entries = CATALOG.filter(
      (e) => (!kind || e.kind === kind) && (!category || e.category.toLowerCase() === category),
    ).map(summarize);
    return c.json({ entries });
  });

  app.get("/:key", (c) => {
    const key = c.req.param("key");
    let entry: ReturnType<typeof getEntry>;
    try {
      entry = getEntry(key);
    } catch (err) {
      // The message carries the nearest keys ("Did you mean ...?").
      throw new HttpError(404, (err as Error).message);
    }
    return c.json(describeEntry(entry));
  });

  return app;
}
