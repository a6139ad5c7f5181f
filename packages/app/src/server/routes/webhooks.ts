// The two ways events come in. POST /webhooks/highlevel: HighLevel's signed deliveries, verified on
// the raw bytes and stored before the 200 (a 200 is a promise that the event will be handled, so a
// storage failure must be a 500 that makes HighLevel deliver again). POST /hooks/:flowId: any JSON or
// form post for one flow, authenticated by that flow's secret.
import { WebhookVerificationError } from "@hlconnect/client";
import { IngestBusyError } from "@hlconnect/engine/webhooks/ingest";
import { WebhookPayloadError } from "@hlconnect/engine/webhooks/payload";
import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ServerDeps } from "../deps.ts";
import { errorBody, HttpError } from "../http-errors.ts";

const MAX_BODY_BYTES = 1024 * 1024;

export function webhookRoutes({ engine, logger, metrics }: ServerDeps): Hono {
  const app = new Hono();
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json(errorBody(`the body is larger than ${MAX_BODY_BYTES} bytes`), 413),
  });

  app.post("/webhooks/highlevel", limit, async (c) => {
    const raw = Buffer.from(await c.req.arrayBuffer());
    let result: { duplicate: boolean };
    try {
      result = await engine.receiveHighLevelWebhook(raw, c.req.raw.headers);
    } catch (err) {
      if (err instanceof IngestBusyError) return busy(c, "highlevel", err);
      if (err instanceof WebhookPayloadError) {
        metrics.webhooks.refused.inc({ source: "highlevel", reason: "bad_payload" });
        logger.warn({ error: err.message }, "HighLevel webhook refused");
        return c.json(errorBody(err.message), 400);
      }
      if (err instanceof WebhookVerificationError && err.reason !== "invalid_public_key") {
        metrics.webhooks.refused.inc({ source: "highlevel", reason: err.reason });
        logger.warn({ reason: err.reason }, "HighLevel webhook refused");
        return c.json(errorBody(err.message), 401);
      }
      // Not the sender's fault (no key configured, database down): 500, so HighLevel tries again.
      metrics.webhooks.refused.inc({ source: "highlevel", reason: "server_error" });
      logger.error({ error: err }, "HighLevel webhook could not be stored; not acknowledged");
      return c.json(errorBody("the webhook could not be stored; deliver it again later"), 500);
    }
    metrics.webhooks[result.duplicate ? "duplicate" : "received"].inc({ source: "highlevel" });
    return c.json({ ok: true, ...(result.duplicate ? { duplicate: true } : {}) });
  });

  app.post("/hooks/:flowId", limit, async (c) => {
    const flowId = c.req.param("flowId");
    const secret = c.req.query("secret") ?? c.req.header("x-hlconnect-secret");
    if (!secret) {
      metrics.webhooks.refused.inc({ source: "hook", reason: "missing_secret" });
      throw new HttpError(
        401,
        "missing secret: add ?secret=... to the URL or send an x-hlconnect-secret header",
      );
    }
    // The secret first, before the body is read, and one answer for an unknown flow and a wrong
    // secret: a caller without the secret learns nothing, not even whether the flow exists.
    if (!(await engine.checkFlowHookSecret(flowId, secret))) {
      metrics.webhooks.refused.inc({ source: "hook", reason: "bad_secret" });
      logger.warn({ flowId }, "hook post refused: unknown flow or wrong secret");
      throw new HttpError(401, "wrong secret for this hook (or no such hook)");
    }
    const flow = await engine.store.getFlow(flowId);
    const payload = await readPayload(c);
    const deliveryId = c.req.header("x-hlconnect-delivery") ?? c.req.header("idempotency-key");
    let result: Awaited<ReturnType<typeof engine.receiveFlowHook>>;
    try {
      result = await engine.receiveFlowHook(flowId, secret, payload, deliveryId);
    } catch (err) {
      if (err instanceof IngestBusyError) return busy(c, "hook", err);
      if (err instanceof WebhookPayloadError) throw new HttpError(400, err.message);
      logger.error({ error: err, flowId }, "hook post could not be stored; not acknowledged");
      return c.json(errorBody("the post could not be stored; send it again later"), 500);
    }
    if (!result.accepted) {
      metrics.webhooks.refused.inc({ source: "hook", reason: "bad_secret" });
      throw new HttpError(401, "wrong secret for this hook (or no such hook)");
    }
    metrics.webhooks[result.duplicate ? "duplicate" : "received"].inc({ source: "hook" });
    return c.json(
      {
        ok: true,
        ...(result.duplicate ? { duplicate: true } : {}),
        ...(flow?.enabled
          ? {}
          : { note: `flow "${flowId}" is disabled: the post was stored but starts no run` }),
      },
      202,
    );
  });

  // Refusals come in bursts: one warning a second with the count, not a line per delivery.
  let refusedSinceLog = 0;
  let lastLog = 0;
  /** Busy: a 429 at once (HighLevel redelivers only after a 429), never a long wait. */
  function busy(c: Context, source: string, err: IngestBusyError) {
    metrics.webhooks.refused.inc({ source, reason: "busy" });
    refusedSinceLog++;
    const now = Date.now();
    if (now - lastLog >= 1000) {
      logger.warn({ source, refused: refusedSinceLog }, `deliveries answered 429: ${err.message}`);
      refusedSinceLog = 0;
      lastLog = now;
    }
    return c.json(errorBody(err.message), 429, { "retry-after": String(err.retryAfterSeconds) });
  }

  return app;
}

/** A JSON or form body as a plain object; an empty body is `{}`. */
async function readPayload(c: Context): Promise<unknown> {
  const type = (c.req.header("content-type") ?? "").toLowerCase();
  if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) {
    const form = await c.req.parseBody({ all: true });
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(form)) {
      out[k] = Array.isArray(v) ? v.map(formValue) : formValue(v);
    }
    return out;
  }
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(
      400,
      `the body is not valid JSON: ${(err as Error).message} (send JSON, or a form as application/x-www-form-urlencoded)`,
    );
  }
}

function formValue(v: unknown): unknown {
  return typeof v === "string" ? v : v instanceof File ? { file: v.name, size: v.size } : String(v);
}
