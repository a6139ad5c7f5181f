// A small client for BatchData (BatchLeads' data API): skip trace and DNC checks, batched to the
// 100 items a call may carry and paced to the 3,000 calls a minute a token may make. It lives here,
// beside the HighLevel client, because both the catalog and @hlconnect/batchleads use it and the
// catalog cannot depend on batchleads (which depends on the catalog).
import { HighLevelError } from "./errors.ts";
import { redact, registerSecret } from "./redact.ts";

export const BATCHDATA_API_BASE_URL = "https://api.batchdata.com";
/** Items per call, and calls per minute per token, as BatchData documents them. */
export const BATCHDATA_MAX_ITEMS = 100;
export const BATCHDATA_CALLS_PER_MINUTE = 3000;

export interface BatchDataClientOptions {
  token: string;
  /** Default https://api.batchdata.com (the sandbox's is `${baseUrl}/batchdata`). */
  baseUrl?: string;
  /** Calls allowed per rolling minute (default 3,000). */
  callsPerMinute?: number;
  /** 429 answers waited out before giving up (default 5). */
  maxRateLimitRetries?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SkipTraceRequest {
  propertyAddress?: { street: string; city?: string; state?: string; zip?: string };
  apn?: string;
  county?: string;
  state?: string;
  name?: { first?: string; last?: string };
}

export interface BatchDataPhone {
  /** As BatchData sends it (ten digits for US numbers). */
  number: string;
  type?: string;
  carrier?: string;
  tested?: boolean;
  reachable?: boolean;
  dnc: boolean;
  tcpa: boolean;
}

export interface BatchDataPerson {
  name: { first?: string; last?: string; full?: string };
  phones: BatchDataPhone[];
  emails: string[];
  litigator: boolean;
  deceased: boolean;
}

/** One property's answer, in the order of the requests. */
export interface SkipTraceResult {
  index: number;
  matched: boolean;
  persons: BatchDataPerson[];
  /** BatchData's complaint about this one item (the others are unaffected). */
  error?: string;
}

export interface DncResult {
  number: string;
  dnc: boolean;
  tcpa: boolean;
  error?: string;
}

export class BatchDataError extends HighLevelError {
  constructor(
    message: string,
    init: {
      status?: number;
      code?: "HTTP_ERROR" | "RATE_LIMITED" | "NETWORK_ERROR" | "TIMEOUT" | "INVALID_REQUEST";
      body?: unknown;
      cause?: unknown;
    },
  ) {
    super(message, {
      code: init.code ?? "HTTP_ERROR",
      ...(init.status !== undefined ? { status: init.status } : {}),
      ...(init.body !== undefined ? { body: init.body } : {}),
      ...(init.cause !== undefined ? { cause: init.cause } : {}),
      operationId: "batchdata",
    });
    this.name = "BatchDataError";
  }
}

type Json = Record<string, unknown>;
const MINUTE = 60_000;

export class BatchDataClient {
  readonly baseUrl: string;
  /** HTTP calls made (429s included): what the budget counts. */
  calls = 0;
  private readonly token: string;
  private readonly perMinute: number;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Start times of the calls of the last minute, oldest first. */
  private recent: number[] = [];

  constructor(options: BatchDataClientOptions) {
    if (!options.token?.trim()) {
      throw new BatchDataError("BatchData needs an API token: set BATCHDATA_TOKEN", {
        code: "INVALID_REQUEST",
      });
    }
    this.token = options.token.trim();
    registerSecret(this.token);
    this.baseUrl = (options.baseUrl ?? BATCHDATA_API_BASE_URL).replace(/\/+$/, "");
    this.perMinute = options.callsPerMinute ?? BATCHDATA_CALLS_PER_MINUTE;
    this.maxRetries = options.maxRateLimitRetries ?? 5;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.fetchFn = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** BATCHDATA_TOKEN and BATCHDATA_BASE_URL (default the real API). */
  static fromEnv(
    env: Record<string, string | undefined> = process.env,
    extra: Partial<BatchDataClientOptions> = {},
  ) {
    return new BatchDataClient({
      token: env.BATCHDATA_TOKEN ?? "",
      ...(env.BATCHDATA_BASE_URL ? { baseUrl: env.BATCHDATA_BASE_URL } : {}),
      ...extra,
    });
  }

  /** Skip-trace any number of properties: one call per 100, results in request order. */
  async skipTrace(requests: SkipTraceRequest[]): Promise<SkipTraceResult[]> {
    const out: SkipTraceResult[] = [];
    for (let start = 0; start < requests.length; start += BATCHDATA_MAX_ITEMS) {
      const batch = requests.slice(start, start + BATCHDATA_MAX_ITEMS);
      // Our own ids tie each answer to its request, whatever order BatchData answers in.
      const body = { requests: batch.map((r, i) => ({ ...r, requestId: String(start + i) })) };
      const answer = await this.post("/api/v1/property/skip-trace", body);
      out.push(...groupPersons(answer, start, batch.length));
    }
    return out;
  }

  /** DNC and TCPA flags per number, in the order given: one call per 100 numbers. */
  async checkDnc(phones: string[]): Promise<DncResult[]> {
    const out: DncResult[] = [];
    for (let start = 0; start < phones.length; start += BATCHDATA_MAX_ITEMS) {
      const batch = phones.slice(start, start + BATCHDATA_MAX_ITEMS);
      const answer = await this.post("/api/v1/phone/dnc", { phones: batch });
      const list =
        (answer.results as Json | undefined)?.phones ?? (answer.results as Json | undefined)?.phoneNumbers;
      if (!Array.isArray(list)) throw unexpected(answer);
      batch.forEach((sent, i) => {
        const r = (list[i] ?? {}) as Json;
        out.push({
          number: typeof r.number === "string" ? r.number : sent,
          dnc: r.dnc === true,
          tcpa: r.tcpa === true,
          ...(typeof r.error === "string" ? { error: r.error } : {}),
        });
      });
    }
    return out;
  }

  private async post(path: string, body: unknown): Promise<Json> {
    for (let attempt = 0; ; attempt++) {
      await this.pace();
      this.calls++;
      let res: Response;
      try {
        res = await this.fetchFn(`${this.baseUrl}${path}`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${this.token}`,
            "content-type": "application/json",
            accept: "application/json",
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        const timeout = (err as Error).name === "TimeoutError";
        throw new BatchDataError(
          `BatchData ${path}: ${timeout ? "no answer in time" : redact(String((err as Error).message))}`,
          {
            code: timeout ? "TIMEOUT" : "NETWORK_ERROR",
            cause: err,
          },
        );
      }
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        parsed = text;
      }
      if (res.status === 429 && attempt < this.maxRetries) {
        // Not billed and not a failure: wait for the window BatchData names, then go on.
        const seconds = Number(res.headers.get("retry-after"));
        await this.sleep(Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000 * 2 ** attempt);
        continue;
      }
      if (!res.ok) {
        const status = (parsed as Json)?.status as Json | undefined;
        const why =
          typeof status?.message === "string"
            ? status.message
            : typeof parsed === "string"
              ? parsed.slice(0, 200)
              : res.statusText;
        throw new BatchDataError(`BatchData ${path} answered ${res.status}: ${why}`, {
          status: res.status,
          code: res.status === 429 ? "RATE_LIMITED" : "HTTP_ERROR",
          body: parsed,
        });
      }
      if (!parsed || typeof parsed !== "object") throw unexpected(parsed);
      return parsed as Json;
    }
  }

  /** Wait until one more call fits in the rolling minute. */
  private async pace(): Promise<void> {
    for (;;) {
      const t = this.now();
      while (this.recent.length && (this.recent[0] as number) <= t - MINUTE) this.recent.shift();
      if (this.recent.length < this.perMinute) {
        this.recent.push(t);
        return;
      }
      await this.sleep((this.recent[0] as number) + MINUTE - t);
    }
  }
}

function unexpected(body: unknown): BatchDataError {
  return new BatchDataError(
    `BatchData answered something unexpected: ${redact(JSON.stringify(body)).slice(0, 200)}`,
    {
      body,
    },
  );
}

const bool = (v: unknown) => v === true || v === "true" || v === "Yes";
const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);

/** One person as BatchData sends it, read leniently (phones or phoneNumbers, emails as text or {email}). */
export function readPerson(raw: Json): BatchDataPerson {
  const name = (raw.name ?? {}) as Json;
  const phones = (
    Array.isArray(raw.phones) ? raw.phones : Array.isArray(raw.phoneNumbers) ? raw.phoneNumbers : []
  ) as Json[];
  const emails = (Array.isArray(raw.emails) ? raw.emails : []) as unknown[];
  return {
    name: {
      ...(str(name.first) ? { first: str(name.first) } : {}),
      ...(str(name.last) ? { last: str(name.last) } : {}),
      ...(str(name.full) ? { full: str(name.full) } : {}),
    },
    phones: phones
      .filter((p) => p && (typeof p.number === "string" || typeof p.number === "number"))
      .map((p) => ({
        number: String(p.number),
        ...(str(p.type) ? { type: str(p.type) } : {}),
        ...(str(p.carrier) ? { carrier: str(p.carrier) } : {}),
        ...(typeof p.tested === "boolean" ? { tested: p.tested } : {}),
        ...(typeof p.reachable === "boolean" ? { reachable: p.reachable } : {}),
        dnc: bool(p.dnc),
        tcpa: bool(p.tcpa),
      })),
    emails: emails
      .map((e) => (typeof e === "string" ? e : str((e as Json)?.email)))
      .filter((e): e is string => Boolean(e)),
    litigator: bool(raw.litigator),
    deceased: bool(raw.deceased) || bool((raw.death as Json | undefined)?.deceased),
  };
}

/** Persons come as one flat list; each names the request it answers in its meta. */
function groupPersons(answer: Json, start: number, count: number): SkipTraceResult[] {
  const persons = (answer.results as Json | undefined)?.persons;
  if (!Array.isArray(persons)) throw unexpected(answer);
  const results: SkipTraceResult[] = Array.from({ length: count }, (_, i) => ({
    index: start + i,
    matched: false,
    persons: [],
  }));
  for (const p of persons as Json[]) {
    const meta = (p?.meta ?? {}) as Json;
    const id = Number(
      meta.requestId ?? (typeof meta.requestIndex === "number" ? start + meta.requestIndex : Number.NaN),
    );
    const r = results[id - start];
    if (!r) continue; // an answer for no request of ours: nothing to attach it to
    if (typeof meta.error === "string") r.error = meta.error;
    if (meta.matched === false) continue;
    r.matched = true;
    r.persons.push(readPerson(p));
  }
  return results;
}
