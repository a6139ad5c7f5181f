// /api/connections: list, add a Private Integration Token connection (OAuth ones come through
// /oauth/start), rename or re-scope, remove, and test one. Tokens go in, never out: answers are built
// from connectionView, which has no secret fields at all, and say which flows a broken connection paused
// and which connection is the default (the first added: flows naming none use it).
import { registerSecret } from "@hlconnect/client";
import { Hono } from "hono";
import { samePitConnection } from "../connection-duplicate.ts";
import { removeConnection, updateConnection } from "../connection-edit.ts";
import { connectionScopeReport } from "../connection-scopes.ts";
import { testConnection } from "../connection-test.ts";
import type { ServerDeps } from "../deps.ts";
import { HttpError, optionalString, readJsonObject, requireString } from "../http-errors.ts";
import { connectionViewOf, connectionViews } from "../views.ts";

export function connectionRoutes({ engine }: ServerDeps): Hono {
  const app = new Hono();

  app.get("/", async (c) => {
    const all = await engine.store.listConnections();
    return c.json({ connections: await connectionViews(engine, all) });
  });

  app.post("/", async (c) => {
    const body = await readJsonObject(c);
    const kind = body.kind ?? "pit";
    if (kind !== "pit") {
      throw new HttpError(
        400,
        `kind "${String(kind)}" cannot be added here: the API adds Private Integration Token connections ("pit"); ` +
          "OAuth and agency connections are authorized through GET /oauth/start",
      );
    }
    const token = requireString(body, "token");
    // From now on the token is scrubbed from every log line and error message.
    registerSecret(token);
    const label = requireString(body, "label");
    const locationId = requireString(body, "locationId");
    const companyId = optionalString(body, "companyId")?.trim() || undefined;
    // The same token for the same location again is most often a second click: say so, unless asked.
    if (body.allowDuplicate !== true) {
      const same = await samePitConnection(engine, token, locationId);
      if (same) {
        throw new HttpError(
          409,
          `this token for location ${locationId} is already connection ${same.id} ("${same.label}"); ` +
            'send "allowDuplicate": true to add it a second time',
          { connectionId: same.id },
        );
      }
    }
    const record = await engine.addConnection(
      { label, kind: "pit", locationIds: [locationId], ...(companyId ? { companyId } : {}) },
      { privateToken: token },
    );
    // Tested on save, as `connections add` does: a token HighLevel refuses (401, not a missing scope) is
    // not kept; one that could not be checked (HighLevel unreachable) is kept, its test recorded as failing.
    const test = await testConnection(engine, record.id);
    if (test && !test.ok && test.status === 401 && !/scope/i.test(test.error)) {
      await engine.store.deleteConnection(record.id);
      engine.clients.forget(record.id);
      const { error, ...details } = test;
      throw new HttpError(422, `HighLevel refused the token for location ${locationId}: ${error}`, details);
    }
    // Scopes the flows on it need and the token lacks are named now, not when a run fails.
    const scopes = await connectionScopeReport(engine, record).catch(() => undefined);
    // Read again: the test on save recorded its outcome (and the location's company id) on it.
    const saved = (await engine.store.getConnection(record.id)) ?? record;
    return c.json(
      {
        connection: await connectionViewOf(engine, saved),
        test: test?.ok
          ? { ok: true, location: test.location }
          : { ok: false, error: test?.error ?? "not tested" },
        ...(scopes ? { missingScopes: scopes.missing, uncheckedScopes: scopes.unchecked } : {}),
        ...(saved.companyId ? {} : { warnings: [MISSING_COMPANY_ID] }),
      },
      201,
    );
  });

  app.get("/:id", async (c) => {
    const id = c.req.param("id");
    const record = await engine.store.getConnection(id);
    if (!record) throw new HttpError(404, `no connection "${id}"`);
    const [view] = await connectionViews(engine, [record]);
    return c.json({ connection: view });
  });

  app.put("/:id", async (c) => {
    const record = await updateConnection(engine, c.req.param("id"), await readJsonObject(c));
    const [view] = await connectionViews(engine, [record]);
    return c.json({ connection: view });
  });

  app.delete("/:id", async (c) => {
    const removed = await removeConnection(engine, c.req.param("id"));
    // Removing the default hands the flows that name no connection to the next oldest: say which.
    return c.json({
      removed: removed.id,
      ...(removed.newDefault ? { newDefault: await connectionViewOf(engine, removed.newDefault) } : {}),
    });
  });

  app.post("/:id/test", async (c) => {
    const id = c.req.param("id");
    const result = await testConnection(engine, id);
    if (!result) throw new HttpError(404, `no connection "${id}"`);
    if (!result.ok) {
      const { error, ...details } = result;
      throw new HttpError(502, `the connection test failed: ${error}`, details);
    }
    return c.json(result);
  });

  return app;
}

/** Said when a PIT connection has no company id after its test on save. */
export const MISSING_COMPANY_ID =
  "no company id is known for this connection (the token could not read it from the location): " +
  "lists of users (an assigned user, users search) need it; set it with " +
  'PUT /api/connections/ID {"companyId": "..."} or on the Connections page (the id of the HighLevel agency that owns the location)';
