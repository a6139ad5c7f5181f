// What the generated Zapier app takes from hlconnect: the catalog (every entry's validation, calls,
// polling and dedupe keys), the client (operation table, Version headers, errors) and the example
// fixtures its tests use. Bundled by engine-bundle.ts into lib/hlconnect-engine.js.
export {
  CatalogInputError,
  CustomFieldError,
  createContext,
  getEntry,
  parseInput,
  pollEntry,
  resolveExample,
  runEntry,
} from "@hlconnect/catalog";
export { getOperation, HighLevelClient, HighLevelError } from "@hlconnect/client";
