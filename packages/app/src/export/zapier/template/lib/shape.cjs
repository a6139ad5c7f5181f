// How an entry's answer becomes what Zapier expects: a list of objects for triggers and searches,
// one object for creates. Shared by the generator (for samples) and the app (for results), so a
// sample always has the shape of a real result.
"use strict";

// Keys that describe a page of results rather than being a result.
const PAGE_KEYS = new Set([
  "traceId",
  "meta",
  "total",
  "count",
  "found",
  "totalCount",
  "nextPageUrl",
  "startAfter",
  "startAfterId",
  "currentPage",
  "nextPage",
  "prevPage",
  "hasMore",
  "nextCursor",
]);

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const asObject = (v) => (isObject(v) ? v : { value: v });

/** {contacts: [...], total} -> the contacts; {contact: {...}} -> [contact]; {found: false} -> []. */
function itemsOf(output) {
  if (output === undefined || output === null) return [];
  if (Array.isArray(output)) return output.map(asObject);
  if (!isObject(output)) return [{ value: output }];
  if (output.found === false) return [];
  const rest = Object.entries(output).filter(([k]) => !PAGE_KEYS.has(k));
  if (rest.length === 1) {
    const v = rest[0][1];
    if (Array.isArray(v)) return v.map(asObject);
    if (isObject(v)) return [v];
    if (v === null) return [];
  }
  return [output];
}

/** An item with `id` set to its dedupe key; the record's own id stays in `recordId` when they differ. */
function withDedupeId(item, key) {
  const own = item.id ?? item._id;
  if (key === undefined) return own === undefined ? item : { ...item, id: String(own) };
  if (own !== undefined && String(own) === key) return { ...item, id: key };
  return { ...item, id: key, ...(own !== undefined ? { recordId: own } : {}) };
}

const CREATED = ["dateAdded", "createdAt", "dateCreated", "startTime"];
const UPDATED = ["dateUpdated", "updatedAt", "lastUpdated", ...CREATED];

/**
 * A whole list (a snapshot) newest first, by the first time field every item has: the update
 * time for "updated" triggers, else the creation time. Without one, the list keeps its order.
 */
function newestFirst(items, dedupe) {
  const timeOf = (item, f) => (typeof item[f] === "number" ? item[f] : Date.parse(item[f]));
  const field = (dedupe === "id+updated" ? UPDATED : CREATED).find((f) =>
    items.every((i) => Number.isFinite(timeOf(i, f))),
  );
  if (!field || items.length < 2) return items;
  return [...items].sort((a, b) => timeOf(b, field) - timeOf(a, field));
}

/** What a create returns: always one object. */
function createResult(output) {
  if (Array.isArray(output)) return { items: output };
  if (isObject(output)) return output;
  if (output === undefined || output === null || output === "") return { success: true };
  return { result: output };
}

module.exports = { itemsOf, asObject, withDedupeId, newestFirst, createResult };
