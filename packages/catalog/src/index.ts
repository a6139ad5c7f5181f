// Public surface of @hlconnect/catalog.
export * from "./custom-fields.ts";
export * from "./define.ts";
export * from "./describe.ts";
export * from "./examples.ts";
export * from "./fields.ts";
export * from "./operation-input.ts";
export * from "./poll.ts";
export * from "./registry.ts";
export * from "./runtime.ts";
export * from "./types.ts";
