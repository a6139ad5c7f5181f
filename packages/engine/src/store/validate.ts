// Checks on values handed to a Store, shared by adapters so every adapter rejects the same input with
// the same message (what is wrong and where).
import { InvalidInputError } from "./errors.ts";

export function requireText(value: unknown, what: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new InvalidInputError(`${what} must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

export function optionalText(value: unknown, what: string): string | undefined {
  return value === undefined || value === null ? undefined : requireText(value, what);
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidInputError(`${what} must be one of ${allowed.join(", ")}; got ${describe(value)}`);
  }
  return value as T;
}

export function requireTime(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new InvalidInputError(`${what} must be a time in epoch milliseconds, got ${describe(value)}`);
  }
  return Math.floor(value);
}

export function requirePositive(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InvalidInputError(`${what} must be a positive number, got ${describe(value)}`);
  }
  return value;
}

export function textList(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new InvalidInputError(`${what} must be a list of strings, got ${describe(value)}`);
  return value.map((item, i) => requireText(item, `${what}[${i}]`));
}

/** JSON text of a payload; undefined becomes null. */
export function toJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    throw new InvalidInputError(`${what} cannot be stored as JSON: ${(error as Error).message}`);
  }
  if (text === undefined)
    throw new InvalidInputError(`${what} cannot be stored as JSON: got ${describe(value)}`);
  return text;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return value === "" ? "an empty string" : JSON.stringify(value.slice(0, 60));
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value;
}
