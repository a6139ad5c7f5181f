// Short, stable content hashes: what was last written is remembered by hash, so an unchanged lead
// costs no call. Keys are sorted, so the same content always hashes the same.
import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every level (arrays keep their order): exactly what JSON.stringify gives
 * for the same value with its keys sorted (hashes in existing state files depend on it), written directly
 * because a sorting replacer copied every object of every lead.
 */
export function stableJson(value: unknown): string {
  return write(value) ?? "undefined";
}

function write(v: unknown): string | undefined {
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return Number.isFinite(v) ? String(v) : "null";
    case "boolean":
      return v ? "true" : "false";
    case "object":
      break;
    case "bigint":
      return JSON.stringify(v); // throws, as JSON.stringify does
    default:
      return undefined; // undefined, functions, symbols: left out
  }
  const o = v as { toJSON?: () => unknown } & Record<string, unknown>;
  if (typeof o.toJSON === "function") return write(o.toJSON());
  if (Array.isArray(v)) return `[${v.map((x) => write(x) ?? "null").join(",")}]`;
  let out = "";
  for (const k of sortedKeys(o)) {
    const s = write(o[k]);
    if (s === undefined) continue;
    out += `${out ? "," : ""}${JSON.stringify(k)}:${s}`;
  }
  return `{${out}}`;
}

/**
 * Keys sorted, as a sorted copy of the object would list them: integer-like keys ("2", "10") always come
 * first in numeric order (Object.keys already lists them so), the others sorted.
 */
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  let ints = 0;
  while (ints < keys.length && isArrayIndex(keys[ints]!)) ints++;
  if (ints === 0) return keys.sort();
  return [...keys.slice(0, ints), ...keys.slice(ints).sort()];
}

function isArrayIndex(k: string): boolean {
  return /^(?:0|[1-9]\d*)$/.test(k) && Number(k) < 4294967295;
}

export function hashOf(value: unknown): string {
  const text = typeof value === "string" ? value : stableJson(value);
  return createHash("sha256").update(text).digest("base64url").slice(0, 22);
}
