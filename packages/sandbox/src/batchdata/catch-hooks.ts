// A Zapier "Catch Hook" stand-in: POST /zapier/hooks/catch/{account}/{hook} keeps the JSON it is
// sent and answers as Zapier does, so the way back to BatchLeads (a Zap that updates the property)
// can be tested without Zapier.
import { randomUUID } from "node:crypto";
import type { ExternalAnswer } from "./service.ts";

export interface CaughtHook {
  time: string;
  path: string;
  body: unknown;
}

const HOOK_PATH = /^\/zapier\/hooks\/catch\/[^/]+\/[^/]+\/?$/;

export class CatchHooks {
  private caught: CaughtHook[] = [];

  constructor(private readonly now: () => number) {}

  list(): CaughtHook[] {
    return [...this.caught];
  }

  reset(): void {
    this.caught = [];
  }

  handle(method: string, pathname: string, raw: Buffer): ExternalAnswer | undefined {
    if (!pathname.startsWith("/zapier/")) return undefined;
    const operationId = "zapier:catch-hook";
    if (!HOOK_PATH.test(pathname) || method !== "POST") {
      return { status: 404, body: { status: "error", message: "hook not found" }, headers: {}, operationId };
    }
    let body: unknown;
    try {
      body = raw.length ? JSON.parse(raw.toString("utf8")) : {};
    } catch {
      body = raw.toString("utf8"); // Zapier keeps non-JSON posts as raw text
    }
    this.caught.push({ time: new Date(this.now()).toISOString(), path: pathname, body });
    const id = randomUUID();
    return {
      status: 200,
      body: { attempt: id, id, request_id: id, status: "success" },
      headers: {},
      operationId,
    };
  }
}
