// The process's structured log: pino, readable on a terminal (pino-pretty) and JSON lines otherwise.
// Every object and message goes through the client's redaction before pino sees it, so a token that
// slipped into a log call (a header, an error message, a payload) never reaches the output.

import { createRequire } from "node:module";
import { redact, redactValue } from "@hlconnect/client";
import type { Logger as EngineLogger } from "@hlconnect/engine/logger";
import pino, { type Logger } from "pino";
import type PinoPretty from "pino-pretty";

// pino-pretty is loaded only for a terminal: a server writing JSON lines does not pay for it at start.
const requireHere = createRequire(import.meta.url);

export type AppLogger = Logger;

export interface LoggerOptions {
  /** Default "info". */
  level?: string;
  /** Force pretty (true) or JSON (false) output; default: pretty when `stream` is a TTY. */
  pretty?: boolean;
  /** Where lines go; default stderr, so stdout stays free for a command's own output. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function createLogger(options: LoggerOptions = {}): AppLogger {
  const stream = options.stream ?? process.stderr;
  const usePretty = options.pretty ?? Boolean(stream.isTTY);
  const destination = usePretty
    ? (requireHere("pino-pretty") as typeof PinoPretty)({
        destination: stream,
        colorize: Boolean(stream.isTTY),
        translateTime: "SYS:HH:MM:ss",
        ignore: "pid,hostname",
        singleLine: true,
        sync: true,
      })
    : stream;
  return pino(
    {
      level: options.level ?? "info",
      base: undefined,
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map(scrub) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/** The logger the engine takes (object first, then message): pino already has that shape. */
export function engineLogger(logger: AppLogger): EngineLogger {
  return logger as unknown as EngineLogger;
}

function scrub(arg: unknown): unknown {
  if (typeof arg === "string") return redact(arg);
  if (arg instanceof Error) return redactValue(errorFields(arg));
  if (arg && typeof arg === "object") return redactValue(withPlainErrors(arg as Record<string, unknown>));
  return arg;
}

// Error fields are not enumerable: spelled out, or they would be logged as {}.
function withPlainErrors(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = v instanceof Error ? errorFields(v) : v;
  return out;
}

function errorFields(e: Error): Record<string, unknown> {
  return { type: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
}
