// The typed HighLevel client: every v2 operation by key, with access checks before any request,
// the operation's own Version header, shaped rate limits, safe retries and pagination.

import { checkAccess } from "./auth/access-check.ts";
import type { Credentials } from "./auth/credentials.ts";
import { PrivateIntegrationToken } from "./auth/credentials.ts";
import { type ExecutorLogger, executeRequest } from "./executor.ts";
import type { OperationSpec } from "./operation.ts";
import { type PaginateOptions, paginate, resolvePaginationStyle } from "./pagination.ts";
import { InMemoryRateLimiter, type RateLimiter } from "./rate-limit/limiter.ts";
import { buildRequest, getOperation } from "./request-builder.ts";
import { DEFAULT_RETRY, isSafeToRepeat, type RetryOptions } from "./retry.ts";
import type { OperationBody, OperationKey, OperationParams, OperationResponse } from "./typed.ts";

export const HIGHLEVEL_API_BASE_URL = "https://services.leadconnectorhq.com";

export interface HighLevelClientOptions {
  /** A Credentials object, or a Private Integration Token string (location token unless `companyId` only). */
  credentials: Credentials | string;
  baseUrl?: string;
  /** Default location: filled into locationId parameters and used for the rate-limit bucket. */
  locationId?: string;
  companyId?: string;
  /** Shared between clients (and, with a Redis limiter, between processes) to keep one budget. */
  limiter?: RateLimiter;
  retry?: Partial<RetryOptions>;
  /** Per-attempt timeout in milliseconds (default 30 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  logger?: ExecutorLogger;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export class HighLevelClient {
  readonly baseUrl: string;
  readonly locationId: string | undefined;
  readonly companyId: string | undefined;
  readonly credentials: Credentials;
  readonly limiter: RateLimiter;
  private readonly retry: RetryOptions;
  private readonly timeoutMs: number;
  private readonly options: HighLevelClientOptions;

  constructor(options: HighLevelClientOptions) {
    this.options = options;
    this.baseUrl = (options.baseUrl ?? HIGHLEVEL_API_BASE_URL).replace(/\/+$/, "");
    this.locationId = options.locationId;
    this.companyId = options.companyId;
    this.credentials =
      typeof options.credentials === "string"
        ? new PrivateIntegrationToken({
            token: options.credentials,
            kind: options.locationId || !options.companyId ? "location" : "agency",
            ...(options.locationId ? { locationId: options.locationId } : {}),
            ...(options.companyId ? { companyId: options.companyId } : {}),
          })
        : options.credentials;
    this.limiter = options.limiter ?? new InMemoryRateLimiter();
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** A client for another location sharing this one's credentials and rate limiter. */
  forLocation(locationId: string, credentials?: Credentials): HighLevelClient {
    return new HighLevelClient({
      ...this.options,
      credentials: credentials ?? this.credentials,
      locationId,
      limiter: this.limiter,
    });
  }

  /** Call an operation by key with typed parameters (path + query, flattened) and body. */
  call<K extends OperationKey>(
    key: K,
    params?: OperationParams<K>,
    body?: OperationBody<K>,
    options?: CallOptions,
  ): Promise<OperationResponse<K>> {
    return this.callByKey(key, params as Record<string, unknown> | undefined, body, options) as Promise<
      OperationResponse<K>
    >;
  }

  /** The untyped door to the same pipeline: for keys known only at run time (CLI, flows). */
  async callByKey(
    key: string,
    params?: Record<string, unknown>,
    body?: unknown,
    options?: CallOptions,
  ): Promise<unknown> {
    const op = getOperation(key);
    return (await this.execute(op, params ?? {}, body, options)).body;
  }

  /** Every item of a paginated operation, page after page, whatever its pagination style. */
  paginate<K extends OperationKey>(
    key: K,
    params?: OperationParams<K>,
    body?: OperationBody<K>,
    options?: PaginateOptions,
  ): AsyncGenerator<unknown> {
    const op = getOperation(key);
    const style = resolvePaginationStyle(op);
    return paginate(
      (k, p, b) => this.callByKey(k, p, b),
      style,
      op.key,
      (params ?? {}) as Record<string, unknown>,
      body,
      options,
    );
  }

  private async execute(
    op: OperationSpec,
    params: Record<string, unknown>,
    body: unknown,
    options?: CallOptions,
  ) {
    const info = this.credentials.info();
    checkAccess(op, info);
    const locationId = this.locationId ?? info.locationId;
    const companyId = this.companyId ?? info.companyId;
    const built = buildRequest(op, params, body, {
      baseUrl: this.baseUrl,
      ...(locationId ? { locationId } : {}),
      ...(companyId ? { companyId } : {}),
    });
    const target = String(params.locationId ?? params.location_id ?? locationId ?? companyId ?? "-");
    return executeRequest(
      {
        ...built,
        operationId: op.operationId,
        safeToRepeat: isSafeToRepeat(op),
        bucket: `${info.ownerId}:${target}`,
      },
      {
        limiter: this.limiter,
        retry: this.retry,
        timeoutMs: options?.timeoutMs ?? this.timeoutMs,
        authorize: () => this.credentials.getAccessToken(),
        onUnauthorized: (rejectedToken) => this.credentials.onUnauthorized(rejectedToken),
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
        ...(this.options.logger ? { logger: this.options.logger } : {}),
        ...(options?.signal ? { signal: options.signal } : {}),
      },
    );
  }
}
