// Binds the HTTP server before the app exists: the demo must know its own URL to start the sandbox
// (which posts webhooks to it), and the engine needs the sandbox first. Until `setApp` is called,
// every request is answered 503.
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

export async function listen(options: { port: number; host: string }): Promise<Listening> {
  let handler: ((req: Request, env: unknown) => Response | Promise<Response>) | undefined;
  const server = createAdaptorServer({
    // env carries the Node request, whose socket gives the client's address (sign-in rate limits).
    fetch: (req: Request, env: unknown) =>
      handler
        ? handler(req, env)
        : Response.json({ error: "starting up: try again in a moment" }, { status: 503 }),
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
