// Short, stable content hashes: what was last written is remembered by hash, so an unchanged lead
// costs no call. Keys are sorted, so the same content always hashes the same.
import { createHash } from "node:crypto";

/** JSON with object keys sorted at every level (arrays keep their order). */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  });
}

export function hashOf(value: unknown): string {
  const text = typeof value === "string" ? value : stableJson(value);
  return createHash("sha256").update(text).digest("base64url").slice(0, 22);
}
