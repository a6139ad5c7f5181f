// The shape of one entry of the generated operation table (src/generated/operations.ts).
// Kept by hand: the generator emits data of this shape, everything else reads it.

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Which kind of token an operation accepts, folded from the spec's security schemes. */
export type TokenKind = "location" | "agency";
export type SecurityRequirement = "location" | "agency" | "either" | "none";

export interface ParameterSpec {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  /** JSON-schema type of the parameter when the spec gives one ("string", "number", "array", ...). */
  type?: string;
}

export interface OperationSpec {
  /** Unique across all services: the operationId, or "service:operationId" where two services share an id. */
  key: string;
  operationId: string;
  /** The spec file the operation comes from, e.g. "contacts". */
  service: string;
  method: HttpMethod;
  /** Path template as the spec writes it, e.g. "/contacts/{contactId}". */
  path: string;
  /** The Version header value the spec declares for this operation, or null where it declares none. */
  version: string | null;
  scopes: string[];
  security: SecurityRequirement;
  /** The raw security scheme names of the spec ("Location-Access", "bearer", ...). */
  securitySchemes: string[];
  parameters: ParameterSpec[];
  /** Content type of the request body when the operation takes one. */
  body: { contentType: string; required: boolean } | null;
  deprecated: boolean;
  summary: string;
}

/** Version header sent where the spec declares none: the value most operations declare. */
export const DEFAULT_API_VERSION = "2021-07-28";
