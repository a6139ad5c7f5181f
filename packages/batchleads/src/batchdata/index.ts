// BatchData enrichment of Leads. The client and the HighLevel-side actions (batchdata.skip-trace,
// batchdata.dnc-check) live lower down, in @hlconnect/client/batchdata and the catalog, because the
// catalog cannot depend on this package.
export {
  BATCHDATA_API_BASE_URL,
  BatchDataClient,
  type BatchDataClientOptions,
  BatchDataError,
  type DncResult,
  type SkipTraceRequest,
  type SkipTraceResult,
} from "@hlconnect/client/batchdata";
export {
  type EnrichOptions,
  type EnrichResult,
  enrichLeads,
  leadTraceRequest,
  mergeTrace,
} from "./enrich.ts";
