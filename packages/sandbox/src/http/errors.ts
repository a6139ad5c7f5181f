// HighLevel's error bodies, thrown by any layer and written by the server (which adds traceId).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.message === "string" ? body.message : `HTTP ${status}`);
  }
}

export const MESSAGES = {
  invalidToken: "Invalid JWT",
  wrongTokenType: "This route is not yet supported by the IAM Service",
  missingScope: "The token is not authorized for this scope.",
  wrongLocation: "The token does not have access to this location.",
  tooMany: "Too many requests",
  noVersion: "version header was not found",
} as const;

export function badRequest(message: string, extra: Record<string, unknown> = {}): ApiError {
  return new ApiError(400, { statusCode: 400, message, ...extra });
}

export function unauthorized(message: string): ApiError {
  return new ApiError(401, { statusCode: 401, message, error: "Unauthorized" });
}

export function forbidden(message: string = MESSAGES.wrongLocation): ApiError {
  return new ApiError(403, { statusCode: 403, message, error: "Forbidden" });
}

export function notFound(message: string): ApiError {
  return new ApiError(404, { statusCode: 404, message, error: "Not Found" });
}

export function unprocessable(messages: string[]): ApiError {
  return new ApiError(422, { statusCode: 422, message: messages, error: "Unprocessable Entity" });
}

/** OAuth endpoint errors use the RFC 6749 shape. */
export function oauthError(status: number, error: string, description: string): ApiError {
  return new ApiError(status, { statusCode: status, error, error_description: description });
}
