// The toolsets an agent gets by default, in a module of its own so that `hlconnect mcp --help` can say
// them without loading the catalog (tools.ts, which loads it, is imported only when the command runs).

/**
 * What an agent gets when it names no toolset: the records a CRM agent works on. The tools list of
 * every toolset is ~190 KB (~48k tokens), more than many clients take in; the others are opt-in
 * (`--toolsets`, `?toolsets=`, "all" for every one). Conversations (which send SMS and email) are
 * left out on purpose: an agent messages people only when it was given that toolset.
 */
export const DEFAULT_TOOLSETS = ["contacts", "calendars", "opportunities"];
export const ALL_TOOLSETS = "all";
