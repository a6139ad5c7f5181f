// Secrets must never reach an error message or a log line. Two layers: every secret the client
// handles is registered by value (exact-match scrubbing, whatever the token format), and
// pattern scrubbing catches bearer headers, JWTs and token fields we were never told about.

const knownSecrets = new Set<string>();
// Rotating OAuth tokens would grow the set for ever; the oldest are dropped first (a Set keeps
// insertion order), and by then pattern scrubbing still covers their JWT shape.
const MAX_KNOWN_SECRETS = 2_000;

/** Remember a secret so that redact() removes it wherever it appears. Short strings are ignored. */
export function registerSecret(secret: string | undefined | null): void {
  if (!secret || secret.length < 8 || knownSecrets.has(secret)) return;
  knownSecrets.add(secret);
  if (knownSecrets.size > MAX_KNOWN_SECRETS) {
    const oldest = knownSecrets.values().next().value;
    if (oldest !== undefined) knownSecrets.delete(oldest);
  }
}

export function forgetSecret(secret: string): void {
  knownSecrets.delete(secret);
}

const PATTERNS: Array<[RegExp, string]> = [
  [/(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, "$1[REDACTED]"],
  [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, "[REDACTED_JWT]"],
  [/\bpit-[A-Za-z0-9-]{8,}/g, "[REDACTED_PIT]"],
  [
    /("?(?:access_token|refresh_token|client_secret|accessToken|refreshToken|clientSecret|authorization|token|code)"?\s*[:=]\s*"?)([^"&\s,}]+)/gi,
    "$1[REDACTED]",
  ],
];

export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join("[REDACTED]");
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Deep copy of a value with secret-bearing fields and strings redacted, for structured logs. */
export function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = /^(authorization|access_?token|refresh_?token|client_?secret|token|password)$/i.test(k)
        ? "[REDACTED]"
        : redactValue(v);
    }
    return out;
  }
  return value;
}
