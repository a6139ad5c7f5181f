// GET /api/templates (the ready flows of templates/, as `hlconnect templates list` shows them) and
// POST /api/flows/from-template (a new flow from one, disabled until the user fills it in and enables it).
import { readFileSync } from "node:fs";
import { Hono } from "hono";
import { parse } from "yaml";
import { listTemplates, TEMPLATES_DIR } from "../../cli/templates.ts";
import type { ServerDeps } from "../deps.ts";
import { saveFlowSource } from "../flow-save.ts";
import { HttpError, optionalString, readJsonObject, requireString } from "../http-errors.ts";
import { flowDetail } from "../views.ts";

export function templateRoutes(deps: ServerDeps, dir = TEMPLATES_DIR): Hono {
  const app = new Hono();

  const read = () =>
    listTemplates(dir).map((t) => {
      const source = readFileSync(t.file, "utf8");
      const doc = (parse(source) ?? {}) as {
        name?: string;
        trigger?: { op?: string; webhook?: unknown };
        steps?: { op?: string }[];
      };
      return {
        name: t.name,
        title: doc.name ?? t.name,
        description: t.explanation,
        trigger: doc.trigger?.op ?? (doc.trigger?.webhook !== undefined ? "webhook" : null),
        steps: (doc.steps ?? []).map((s) => s.op ?? null),
        source,
      };
    });

  app.get("/templates", (c) => c.json({ templates: read().map(({ source: _s, ...t }) => t) }));

  app.post("/flows/from-template", async (c) => {
    const body = await readJsonObject(c);
    const name = requireString(body, "template");
    const template = read().find((t) => t.name === name);
    if (!template) {
      throw new HttpError(404, `no template "${name}": GET /api/templates lists them`);
    }
    const id = optionalString(body, "id") ?? template.name;
    if (await deps.engine.store.getFlow(id)) {
      throw new HttpError(409, `flow "${id}" already exists: pass another "id"`);
    }
    // The template's text with its id replaced and switched off: comments and layout as written.
    const source = template.source
      .replace(/^id:.*$/m, `id: ${id}`)
      .replace(/^enabled:.*\n/m, "")
      .replace(/^(name:.*\n)/m, "$1enabled: false\n");
    const saved = await saveFlowSource(deps, source, `${id}.yaml`, id);
    if (!saved.flow) {
      throw new HttpError(422, `template "${name}" does not validate as flow "${id}"`, saved.errors);
    }
    return c.json({ flow: await flowDetail(deps.engine, saved.flow) }, 201);
  });

  return app;
}
