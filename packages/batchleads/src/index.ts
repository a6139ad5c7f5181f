// @hlconnect/batchleads: BatchLeads exports, Zapier posts and BatchData enrichment into HighLevel.

export {
  COLUMN_DRIFT,
  canonicalValues,
  EXPORT_COLUMNS,
  headerKey,
  headerResolver,
  resolveHeader,
} from "./file/columns.ts";
export {
  ExportFileError,
  type ExportItem,
  type ExportRow,
  type ExportRowError,
  isRowError,
  type ReadOptions,
  readExportRows,
} from "./file/read.ts";
export type * from "./lead.ts";
export { formatAddress, leadKey, normalizeStreet } from "./normalize/address.ts";
export { readable } from "./normalize/contact.ts";
export { FACT_COLUMNS } from "./normalize/facts.ts";
export { mergeLeads } from "./normalize/merge.ts";
export { choosePrimary, isMobile, toE164 } from "./normalize/phones.ts";
export { ALL_DNC_PROBLEM, isRejected, NO_KEY_REASON, normalizeRow, splitTags } from "./normalize/row.ts";
export {
  parseBool,
  parseDate,
  parseMoney,
  parseNumber,
  parsePercent,
  stateCode,
  zip5,
} from "./normalize/values.ts";
