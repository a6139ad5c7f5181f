// Public surface of @hlconnect/client.
export * from "./auth/index.ts";
export {
  type CallOptions,
  HIGHLEVEL_API_BASE_URL,
  HighLevelClient,
  type HighLevelClientOptions,
} from "./client.ts";
export * from "./errors.ts";
export { OPERATION_COUNT, OPERATIONS } from "./generated/operations.ts";
export * from "./operation.ts";
export * from "./pagination.ts";
export * from "./rate-limit/limiter.ts";
export * from "./rate-limit/redis.ts";
export { redact, redactValue, registerSecret } from "./redact.ts";
export { buildRequest, closest, findOperationByPath, getOperation } from "./request-builder.ts";
export { type ParameterSchema, type RequestSchema, requestSchema } from "./request-schemas.ts";
export * from "./retry.ts";
export { TransportError } from "./transport.ts";
export type { OperationBody, OperationKey, OperationParams, OperationResponse } from "./typed.ts";
export * from "./webhooks.ts";
