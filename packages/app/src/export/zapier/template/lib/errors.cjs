// HighLevel's failures as messages a Zap owner can act on, and as the errors Zapier acts on:
// a 429 becomes a ThrottledError carrying the wait, a rejected OAuth token a RefreshAuthError.
"use strict";

const ZAPIER_ERRORS = ["RefreshAuthError", "ThrottledError", "ExpiredAuthError", "HaltedError"];
const DEFAULT_WAIT_S = 10;

function header(headers, name) {
  if (!headers) return undefined;
  if (typeof headers.get === "function") return headers.get(name) ?? undefined;
  const hit = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return hit === undefined ? undefined : String(headers[hit]);
}

/** Seconds until HighLevel takes requests again: Retry-After, else the length of its rate window. */
function waitSeconds(headers) {
  const retryAfter = Number(header(headers, "retry-after"));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.ceil(retryAfter);
  const windowMs = Number(header(headers, "x-ratelimit-interval-milliseconds"));
  if (Number.isFinite(windowMs) && windowMs > 0) return Math.max(1, Math.ceil(windowMs / 1000));
  return DEFAULT_WAIT_S;
}

function what(err) {
  const messages = Array.isArray(err.messages) ? err.messages.filter(Boolean) : [];
  return messages.length ? messages.join("; ") : "";
}

/** Field keys in catalog messages ("dueDate: Invalid date") told by their labels instead. */
function withLabels(messages, _bundle, fields) {
  const labels = new Map((fields || []).map((f) => [f.key, f.label]));
  return messages.map((m) =>
    m.replace(/^([\w.]+):/, (all, key) => (labels.has(key) ? `${labels.get(key)}:` : all)),
  );
}

function zapierError(z, err, state, bundle, fields) {
  // Zapier's own errors pass through, however deep the client wrapped them.
  for (let e = err, depth = 0; e && depth < 6; e = e.cause, depth++) {
    if (ZAPIER_ERRORS.includes(e.name)) return e;
  }
  if (!err || typeof err !== "object" || !("code" in err) || err.name === "Error") {
    return err instanceof Error ? err : new z.errors.Error(String(err), "Unexpected");
  }
  const status = err.status;
  const detail = what(err);
  const auth = bundle?.authData || {};
  switch (err.code) {
    case "RATE_LIMITED": {
      const wait = waitSeconds(state?.throttledHeaders);
      return new z.errors.ThrottledError(
        `HighLevel's rate limit for this location was reached (it allows about 100 requests per 10 seconds); Zapier will try again in ${wait} s.`,
        wait,
      );
    }
    case "DAILY_LIMIT_EXHAUSTED": {
      const wait = err.resetAt
        ? Math.max(60, Math.ceil((new Date(err.resetAt).getTime() - Date.now()) / 1000))
        : 3600;
      return new z.errors.ThrottledError(
        "This location has used its daily HighLevel API budget; Zapier will try again when it resets.",
        wait,
      );
    }
    case "INVALID_REQUEST": {
      const list =
        Array.isArray(err.issues) && err.issues.length
          ? err.issues
          : Array.isArray(err.messages) && err.messages.length
            ? err.messages
            : [err.message];
      return new z.errors.Error(
        `Please check this step's fields: ${withLabels(list, bundle, fields).join("; ")}`,
        "InvalidInput",
        400,
      );
    }
    case "MISSING_SCOPE":
    case "WRONG_TOKEN_TYPE":
      return new z.errors.Error(`This HighLevel connection cannot do this: ${err.message}`, "Forbidden", 403);
    case "UNKNOWN_OUTCOME":
      return new z.errors.Error(
        "HighLevel did not answer, so it is not known whether this step took effect; it was not repeated. Check HighLevel before replaying it.",
        "UnknownOutcome",
      );
    case "NETWORK_ERROR":
    case "TIMEOUT":
      return new z.errors.Error(
        `Could not reach HighLevel (${err.code === "TIMEOUT" ? "no answer in time" : "network error"}); try again shortly.`,
        err.code,
      );
    case "RECONNECT_NEEDED":
      return new z.errors.ExpiredAuthError("Your HighLevel connection has expired; reconnect it in Zapier.");
    default:
      break;
  }
  if (status === 401) {
    if (auth.refresh_token)
      return new z.errors.RefreshAuthError("HighLevel rejected the access token; refreshing it.");
    return new z.errors.ExpiredAuthError(
      "HighLevel rejected the Private Integration Token (it may have been rotated or deleted). Create a new one under Settings > Private Integrations and reconnect.",
    );
  }
  if (status === 403) {
    return new z.errors.Error(
      `HighLevel refused access${detail ? `: ${detail}` : ""}. The connection may lack the permission (scope) this step needs, or the record belongs to another location.`,
      "Forbidden",
      403,
    );
  }
  // HighLevel often answers an unknown id with 400 "... not found".
  if (status === 404 || (status === 400 && /not found/i.test(detail))) {
    return new z.errors.Error(
      `HighLevel could not find it${detail ? ` (${detail})` : ""}. Check the ID mapped into this step; the record may have been deleted.`,
      "NotFound",
      404,
    );
  }
  if (status === 400 || status === 422) {
    return new z.errors.Error(
      `HighLevel did not accept the data${detail ? `: ${detail}` : ""}.`,
      "InvalidData",
      status,
    );
  }
  if (status === 409)
    return new z.errors.Error(`HighLevel reports a conflict${detail ? `: ${detail}` : ""}.`, "Conflict", 409);
  if (status >= 500) {
    return new z.errors.Error(
      `HighLevel had a problem (${status}); try again shortly.${detail ? ` ${detail}` : ""}`,
      "ServerError",
      status,
    );
  }
  return new z.errors.Error(err.message, err.code || "Error", status);
}

module.exports = { zapierError, waitSeconds };
