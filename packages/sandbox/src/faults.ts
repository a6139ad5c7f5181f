// Fault injection. A seeded generator draws once per matching request, in arrival order,
// so the same seed and the same request sequence give the same faults.
//
// 429/500/502 are answered BEFORE the handler runs (nothing was written: safe to retry).
// timeout/reset happen AFTER the handler ran (the write took effect but the client never
// hears about it: the "unknown outcome" a client must reconcile).
import { createRng, type Rng } from "./random.ts";

export const FAULT_KINDS = ["429", "500", "502", "timeout", "reset"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultConfig {
  /** Share of matching requests that fail, 0..1. */
  rate: number;
  kinds: FaultKind[];
  seed: number;
  match?: { operationId?: string; method?: string };
}

export function isBeforeHandler(kind: FaultKind): boolean {
  return kind === "429" || kind === "500" || kind === "502";
}

/** Check a POST /__sandbox/faults body; returns the config or a list of problems. */
export function parseFaultConfig(body: unknown): FaultConfig | string[] {
  const errors: string[] = [];
  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const rate = b.rate;
  if (typeof rate !== "number" || rate < 0 || rate > 1) errors.push("rate must be a number between 0 and 1");
  const kinds = b.kinds;
  if (!Array.isArray(kinds) || kinds.length === 0) errors.push("kinds must be a non-empty array");
  else {
    for (const k of kinds) {
      if (!FAULT_KINDS.includes(k as FaultKind))
        errors.push(`kinds: ${String(k)} is not one of ${FAULT_KINDS.join(", ")}`);
    }
  }
  const seed = b.seed ?? 1;
  if (typeof seed !== "number" || !Number.isFinite(seed)) errors.push("seed must be a number");
  const match = b.match as Record<string, unknown> | undefined;
  if (match !== undefined && (typeof match !== "object" || match === null))
    errors.push("match must be an object");
  if (errors.length) return errors;
  return {
    rate: rate as number,
    kinds: kinds as FaultKind[],
    seed: seed as number,
    match: match
      ? {
          operationId: typeof match.operationId === "string" ? match.operationId : undefined,
          method: typeof match.method === "string" ? match.method.toUpperCase() : undefined,
        }
      : undefined,
  };
}

export class FaultInjector {
  private config: FaultConfig | null = null;
  private rng: Rng = createRng(0);

  set(config: FaultConfig | null): void {
    this.config = config;
    if (config) this.rng = createRng(config.seed);
  }

  get(): FaultConfig | null {
    return this.config;
  }

  /** Decide the fault (if any) for one request. Operation keys and plain operationIds both match. */
  draw(method: string, opKey: string, operationId: string): FaultKind | null {
    const c = this.config;
    if (!c) return null;
    const m = c.match;
    if (m?.method && m.method !== method.toUpperCase()) return null;
    if (m?.operationId && m.operationId !== opKey && m.operationId !== operationId) return null;
    const hit = this.rng() < c.rate;
    const pick = this.rng(); // always drawn, so the sequence does not depend on earlier outcomes
    if (!hit) return null;
    return c.kinds[Math.min(c.kinds.length - 1, Math.floor(pick * c.kinds.length))]!;
  }
}
