// The API's bearer token check. Both sides are hashed first, so the comparison takes the same time
// whatever the lengths and wherever the first difference is.
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { errorBody } from "./http-errors.ts";

export function bearerAuth(apiToken: string): MiddlewareHandler {
  if (!apiToken) throw new Error("the API token must not be empty");
  const expected = digest(apiToken);
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      c.header("WWW-Authenticate", 'Bearer realm="hlconnect"');
      return c.json(
        errorBody(
          match
            ? "the API token is not valid"
            : "missing API token: send `Authorization: Bearer $HLCONNECT_API_TOKEN`",
        ),
        401,
      );
    }
    await next();
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
