// `@hlconnect/sandbox/spec`: the spec helpers alone (no server, no SQLite), for other packages' tests.
export * from "./spec/index.ts";
