// Shared by the web-*.test.ts files: an app over a fresh engine, and a caller that signs in with the
// bearer token (or a cookie session) and parses the answer.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { Engine } from "@hlconnect/engine/engine";
import type { Hono } from "hono";
import { type AppOptions, createApp } from "../src/server/app.ts";
import { type AppLogger, createLogger } from "../src/server/logging.ts";

export const API_TOKEN = "web-test-api-token-3c7e";

/** A flow file: a webhook trigger, then a note on the contact the payload names (then `moreSteps`). */
export function noteFlow(id: string, name: string, moreSteps = ""): string {
  return `id: ${id}
name: ${name}
trigger:
  webhook: {}
steps:
  - id: note
    op: highlevel.contacts.notes.create
    input:
      contactId: "{{ trigger.id }}"
      body: hi
${moreSteps}`;
}

/** A logger whose lines go nowhere: the tests check answers, not log output. */
export function quietLogger(): AppLogger {
  return createLogger({ stream: new Writable({ write: (_c, _e, done) => done() }), pretty: false });
}

export interface WebFixture {
  dir: string;
  flowsDir: string;
  engine: Engine;
  app: Hono;
  // biome-ignore lint/suspicious/noExplicitAny: answers of many shapes, each checked by expect()
  call(method: string, url: string, body?: unknown): Promise<{ status: number; json: any; text: string }>;
  close(): Promise<void>;
}

export async function webFixture(
  options: { baseUrl?: string; app?: Partial<AppOptions> } = {},
): Promise<WebFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), "hlconnect-web-"));
  const flowsDir = path.join(dir, "flows");
  const engine = await Engine.open({
    dataDir: path.join(dir, "data"),
    secret: "web-test-secret-long-enough-123",
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
  });
  const { app } = createApp({
    engine,
    apiToken: API_TOKEN,
    logger: quietLogger(),
    flowsDir,
    dataDir: path.join(dir, "data"),
    webDist: path.join(dir, "no-web"),
    ...options.app,
  });
  return {
    dir,
    flowsDir,
    engine,
    app,
    async call(method, url, body) {
      const res = await app.request(url, {
        method,
        headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    },
    async close() {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
