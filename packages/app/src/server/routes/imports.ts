// /api/imports: BatchLeads exports uploaded from the browser (the file as the raw body, or as a
// multipart form field), a dry run or a real import through a connection, followed by polling
// GET /api/imports/:id; past imports stay listed (they are kept in the data dir).
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ConnectionChoiceError, chooseConnection } from "../../connections/choose.ts";
import type { ServerDeps } from "../deps.ts";
import { errorBody, HttpError } from "../http-errors.ts";
import { ImportJobs } from "../imports.ts";

/** Exports are big; this route alone takes up to this much (the rest of the API takes 1 MB). */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

export function importRoutes({ engine, dataDir, logger }: ServerDeps): { routes: Hono; jobs?: ImportJobs } {
  const app = new Hono();
  const jobs = dataDir ? new ImportJobs(dataDir, logger) : undefined;
  const need = (): ImportJobs => {
    if (!jobs)
      throw new HttpError(503, "imports are not available: this server was started without a data folder");
    return jobs;
  };

  app.post(
    "/",
    bodyLimit({
      maxSize: MAX_IMPORT_BYTES,
      onError: (c) =>
        c.json(
          errorBody(
            `the file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB: import it with \`hlconnect import batchleads FILE\``,
          ),
          413,
        ),
    }),
    async (c) => {
      const q = c.req.query();
      const dryRun = ["1", "true", "yes"].includes((q.dryRun ?? "").toLowerCase());
      let name = q.file?.trim() || "export.csv";
      let bytes: Uint8Array;
      if ((c.req.header("content-type") ?? "").startsWith("multipart/form-data")) {
        const form = await c.req.parseBody();
        const file = Object.values(form).find((v): v is File => v instanceof File);
        if (!file)
          throw new HttpError(400, 'the form has no file: send the export in a file field (e.g. "file")');
        name = q.file?.trim() || file.name || name;
        bytes = new Uint8Array(await file.arrayBuffer());
      } else {
        bytes = new Uint8Array(await c.req.arrayBuffer());
      }
      if (bytes.length === 0)
        throw new HttpError(400, "the body is empty: send the export file (CSV or XLSX) as the body");

      let client: Awaited<ReturnType<typeof engine.clients.client>> | undefined;
      let locationId = q.locationId?.trim() || undefined;
      let connectionId = q.connectionId?.trim() || undefined;
      if (!dryRun) {
        // The same choice as the MCP tools and the builder: a location the connection does not hold is refused.
        try {
          const chosen = await chooseConnection(engine, connectionId, locationId);
          connectionId = chosen.connection.id;
          locationId = chosen.locationId;
          client = await engine.clients.client(chosen.connection, locationId);
        } catch (err) {
          if (err instanceof ConnectionChoiceError) throw new HttpError(400, err.message);
          throw err;
        }
      }
      const record = await need().accept(name, bytes, {
        dryRun,
        ...(locationId ? { locationId } : {}),
        ...(connectionId ? { connectionId } : {}),
      });
      need().start(record, client, dataDir);
      return c.json({ import: { id: record.id, status: record.status } }, 202);
    },
  );

  app.get("/", (c) => c.json({ imports: need().list() }));

  // An import the server stopped during (restart, crash): started again from its kept upload.
  app.post("/:id/resume", async (c) => {
    const id = c.req.param("id");
    const record = need().get(id);
    if (!record) throw new HttpError(404, `no import "${id}"`);
    let client: Awaited<ReturnType<typeof engine.clients.client>> | undefined;
    if (!record.dryRun) {
      try {
        const chosen = await chooseConnection(engine, record.connectionId, record.locationId);
        client = await engine.clients.client(chosen.connection, chosen.locationId);
      } catch (err) {
        if (err instanceof ConnectionChoiceError) throw new HttpError(409, err.message);
        throw err;
      }
    }
    const resumed = need().resume(id, client, dataDir);
    return c.json({ import: { id: resumed.id, status: resumed.status } }, 202);
  });

  app.get("/:id", (c) => {
    const id = c.req.param("id");
    const record = need().get(id);
    if (!record) throw new HttpError(404, `no import "${id}"`);
    return c.json({ import: record });
  });

  return { routes: app, ...(jobs ? { jobs } : {}) };
}
