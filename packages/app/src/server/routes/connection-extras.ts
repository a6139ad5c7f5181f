// What the web app's connections page needs beyond the connection records: whether the "Connect with
// HighLevel" button can work (OAuth configured), an agency connection's installed locations with
// their names, and what every flow requires of its connection (scopes, events, agency tokens).
import { flowRequirements, totalRequirements } from "@hlconnect/engine/flows/requirements";
import { Hono } from "hono";
import type { ServerDeps } from "../deps.ts";
import { HttpError } from "../http-errors.ts";

/** Names are looked up for at most this many locations (an agency may have hundreds). */
const MAX_NAMED = 50;

export function connectionExtraRoutes({ engine }: ServerDeps, oauthConfigured: boolean): Hono {
  const app = new Hono();

  app.get("/oauth/status", (c) =>
    c.json({
      configured: oauthConfigured,
      ...(oauthConfigured
        ? { startUrl: "/oauth/start", agencyStartUrl: "/oauth/start?userType=Company" }
        : {
            help: "set HIGHLEVEL_CLIENT_ID and HIGHLEVEL_CLIENT_SECRET to your marketplace app's, then restart `hlconnect serve`",
          }),
    }),
  );

  app.get("/connections/:id/locations", async (c) => {
    const id = c.req.param("id");
    const connection = await engine.store.getConnection(id);
    if (!connection) throw new HttpError(404, `no connection "${id}"`);
    const named = connection.locationIds.slice(0, MAX_NAMED);
    const locations = await Promise.all(
      connection.locationIds.map(async (locationId) => {
        if (!named.includes(locationId)) return { id: locationId };
        try {
          const client = await engine.clients.client(connection, locationId);
          const answer = (await client.callByKey("get-location", { locationId })) as {
            location?: { name?: string };
          };
          return { id: locationId, ...(answer.location?.name ? { name: answer.location.name } : {}) };
        } catch (err) {
          return { id: locationId, error: (err as Error).message };
        }
      }),
    );
    return c.json({ connectionId: id, kind: connection.kind, locations });
  });

  app.get("/flows/requirements", async (c) => {
    const flows = [];
    for (const record of await engine.store.listFlows()) {
      try {
        flows.push(
          flowRequirements(engine.env.parseFlow(record.source, record.filePath ?? `${record.id}.yaml`)),
        );
      } catch {
        // A flow that no longer validates requires nothing until it is fixed (the flows list says why).
      }
    }
    return c.json({ flows, total: totalRequirements(flows) });
  });

  return app;
}
