// Binds the HTTP server before the app exists: the demo must know its own URL to start the sandbox
// (which posts webhooks to it), and the engine needs the sandbox first. It is also the first thing
// `serve` does, before loading the engine: until `setApp` is called, /healthz says "starting", webhook
// deliveries are answered 429 (HighLevel delivers again only after a 429: a 503 would lose the event)
// and every other request 503.
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { Hono } from "hono";

export interface Listening {
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  setApp(app: Hono): void;
  close(): Promise<void>;
}

/** Seconds a client should wait before retrying while the server starts (the engine takes about one). */
const STARTING_RETRY_AFTER = "1";

/** The answer to every request before the app is set. */
export function startingAnswer(req: Request): Response {
  const headers = { "retry-after": STARTING_RETRY_AFTER, "cache-control": "no-store" };
  const { pathname } = new URL(req.url);
  if (pathname === "/healthz")
    return Response.json({ ok: false, status: "starting" }, { status: 503, headers });
  if (pathname.startsWith("/webhooks/") || pathname.startsWith("/hooks/"))
    return Response.json({ error: "starting up: deliver it again shortly" }, { status: 429, headers });
  return Response.json({ error: "starting up: try again in a moment" }, { status: 503, headers });
}

export async function listen(options: { port: number; host: string }): Promise<Listening> {
  let handler: ((req: Request, env: unknown) => Response | Promise<Response>) | undefined;
  const server = createAdaptorServer({
    // env carries the Node request, whose socket gives the client's address (sign-in rate limits).
    fetch: (req: Request, env: unknown) => (handler ? handler(req, env) : startingAnswer(req)),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        err.code === "EADDRINUSE"
          ? new Error(
              `port ${options.port} on ${options.host} is in use: pick another with --port (0 picks a free one)`,
            )
          : err,
      );
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    setApp(app) {
      handler = (req, env) => app.fetch(req, env);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
