// Type-level view of one operation: its parameters, body and answer, derived from the generated
// openapi-typescript descriptions. Version and Authorization are the client's business, not the caller's.
import type { OperationKey, OperationTypes } from "./generated/operation-types.ts";

export type { OperationKey, OperationTypes };

type Section<Op, S extends "path" | "query"> = Op extends { parameters: infer P }
  ? P extends Record<S, infer X>
    ? [X] extends [never]
      ? unknown
      : [X] extends [undefined]
        ? unknown
        : NonNullable<X>
    : P extends Partial<Record<S, infer Y>>
      ? [NonNullable<Y>] extends [never]
        ? unknown
        : Partial<NonNullable<Y>>
      : unknown
  : unknown;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** Path and query parameters of an operation, flattened into one object. */
export type OperationParams<K extends OperationKey> = Simplify<
  Section<OperationTypes[K], "path"> & Section<OperationTypes[K], "query">
>;

type Content<C> = C extends { content: infer Ct }
  ? Ct extends { "application/json": infer J }
    ? J
    : Ct extends { "multipart/form-data": infer F }
      ? F | FormData
      : Ct extends { "application/x-www-form-urlencoded": infer U }
        ? U
        : unknown
  : undefined;

/** The request body an operation takes (undefined when it takes none). */
export type OperationBody<K extends OperationKey> = OperationTypes[K] extends { requestBody?: infer B }
  ? [NonNullable<B>] extends [never]
    ? undefined
    : Content<NonNullable<B>>
  : undefined;

type SuccessOf<R> =
  R extends Record<infer Code, unknown>
    ? Code extends 200 | 201 | 202 | 204
      ? R[Code] extends { content: { "application/json": infer J } }
        ? J
        : unknown
      : never
    : unknown;

/** The JSON answer of a successful call. */
export type OperationResponse<K extends OperationKey> = OperationTypes[K] extends { responses: infer R }
  ? [SuccessOf<R>] extends [never]
    ? unknown
    : SuccessOf<R>
  : unknown;
