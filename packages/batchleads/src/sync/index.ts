// Leads -> HighLevel: the import's public surface.
export { clientImportApi, type ImportApi } from "./api.ts";
export { ImportStoppedError } from "./errors.ts";
export { type FieldWarning, type SyncOptions, type SyncOutcome, syncStagedLeads } from "./executor.ts";
export { acquireImportLock, ImportLockedError, importLockHolder, type LockHolder } from "./lock.ts";
export { contactPlan, noteText, tagSet, taskPlan } from "./plan.ts";
export { progressLines } from "./progress-lines.ts";
export { ImportIncompleteError, type ImportOptions, type ImportProgress, runImport } from "./run-import.ts";
export { DEFAULT_CUSTOM_FIELDS, type SyncSettings, syncSettings } from "./settings.ts";
export { SyncState } from "./state.ts";
export { defaultStateFile, stateScope, userDataDir } from "./state-location.ts";
export { formatSummary, type ImportSummary } from "./summary.ts";
export { BULK_TAG_LIMIT } from "./tags.ts";
