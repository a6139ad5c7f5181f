// The app's one runtime: turns each manifest step into a Zapier trigger, search or create that runs
// the catalog entry through hlconnect's engine, with HighLevel's requests carried by z.request.
"use strict";

const engine = require("./hlconnect-engine.js");
const manifest = require("./manifest.json");
const { itemsOf, asObject, withDedupeId, newestFirst, createResult } = require("./shape.js");
const { zapierError } = require("./errors.js");

const DEFAULT_BASE_URL = "https://services.leadconnectorhq.com";
/** Items older than this are not looked at by a poll; Zapier remembers the ids it has seen. */
const POLL_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_ITEMS = 100;
/** Dynamic input fields for custom fields: `cf_<field id>`. */
const CF_PREFIX = "cf_";

/** HIGHLEVEL_BASE_URL points the app at another server (the hlconnect sandbox in tests). */
const baseUrl = () => (process.env.HIGHLEVEL_BASE_URL || DEFAULT_BASE_URL).replace(/\/+$/, "");

/** A fetch for hlconnect's client that sends through z.request, so Zapier logs and refreshes as usual. */
function zapierFetch(z) {
  return async (url, init = {}) => {
    const res = await z.request({
      url: String(url),
      method: init.method || "GET",
      headers: { ...(init.headers || {}) },
      ...(init.body !== undefined ? { body: init.body } : {}),
      skipThrowForStatus: true,
      // 429s reach the client, which reports the window; zapierError turns it into a ThrottledError.
      throwForThrottlingEarly: false,
    });
    const headers = {};
    res.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const empty = [101, 204, 205, 304].includes(res.status);
    return new Response(empty ? null : res.content, { status: res.status, headers });
  };
}

/** No shaping here: Zapier paces the calls; a 429 is remembered so its wait can be reported. */
function reportingLimiter(state) {
  return {
    async acquire() {},
    update() {},
    onRateLimited(_bucket, headers) {
      state.throttledHeaders = headers;
    },
    release() {},
  };
}

/** The location's token, or for agency-only steps the agency token of the same connection. */
function tokenFor(z, auth, agency) {
  if (!agency) {
    if (auth.access_token) return auth.access_token;
    throw new z.errors.Error(
      "This HighLevel connection has no token; reconnect it.",
      "AuthenticationError",
      401,
    );
  }
  if (auth.agencyToken && auth.companyId) return auth.agencyToken;
  throw new z.errors.Error(
    "This step needs an agency Private Integration Token and the Company ID: add both to the HighLevel connection.",
    "AuthenticationError",
    401,
  );
}

function contextFor(z, bundle, agency = false) {
  const auth = bundle.authData || {};
  const token = tokenFor(z, auth, agency);
  const state = {};
  const client = new engine.HighLevelClient({
    credentials: token,
    baseUrl: baseUrl(),
    // An agency token's client has a company and no location (the context keeps the location).
    ...(auth.locationId && !agency ? { locationId: auth.locationId } : {}),
    ...(auth.companyId ? { companyId: auth.companyId } : {}),
    fetch: zapierFetch(z),
    limiter: reportingLimiter(state),
    // Zapier retries a step itself; one attempt here, and a 429 is handed back at once.
    retry: { maxAttempts: 1, max429Waits: 0 },
  });
  const ctx = engine.createContext({
    client,
    ...(auth.locationId ? { locationId: auth.locationId } : {}),
    ...(auth.companyId ? { companyId: auth.companyId } : {}),
    defaultCountry: process.env.HIGHLEVEL_DEFAULT_COUNTRY || "US",
  });
  return { ctx, state };
}

/** Run `fn` with a connected context, turning any failure into the error Zapier expects. */
async function withContext(z, bundle, fn, fields, agency = false) {
  let state = {};
  try {
    const made = contextFor(z, bundle, agency);
    state = made.state;
    return await fn(made.ctx);
  } catch (err) {
    throw zapierError(z, err, state, bundle, fields);
  }
}

const present = (v) => v !== undefined && v !== null && v !== "";

function coerce(z, field, v) {
  switch (field.coerce) {
    case "number":
    case "integer": {
      const n = typeof v === "string" ? Number(v.trim()) : v;
      return typeof n === "number" && Number.isFinite(n) ? n : v;
    }
    case "boolean": {
      if (typeof v !== "string") return v;
      const s = v.trim().toLowerCase();
      if (["true", "yes", "1"].includes(s)) return true;
      if (["false", "no", "0"].includes(s)) return false;
      return v;
    }
    case "list":
      return (Array.isArray(v) ? v : String(v).split(","))
        .map((x) => (typeof x === "string" ? x.trim() : x))
        .filter(present);
    case "json":
    case "dict": {
      if (typeof v !== "string") return v;
      try {
        return JSON.parse(v);
      } catch (err) {
        if (field.coerce === "dict") return v;
        throw new z.errors.Error(
          `${field.label}: this field takes JSON, and "${v.slice(0, 60)}" is not JSON (${err.message}).`,
          "InvalidInput",
          400,
        );
      }
    }
    default:
      return v;
  }
}

/** What Zapier sends (mostly text) back to what the entry validates; custom-field inputs joined. */
function toInput(z, step, inputData) {
  const out = {};
  for (const field of step.inputFields) {
    const v = inputData[field.key];
    if (present(v)) out[field.key] = coerce(z, field, v);
  }
  const byId = {};
  for (const [k, v] of Object.entries(inputData))
    if (k.startsWith(CF_PREFIX) && present(v)) byId[k.slice(CF_PREFIX.length)] = v;
  if (Object.keys(byId).length) {
    const target = (step.inputFields.find((f) => f.coerce === "dict") || { key: "customFields" }).key;
    out[target] = { ...(typeof out[target] === "object" ? out[target] : {}), ...byId };
  }
  return out;
}

const CF_TYPES = {
  NUMERICAL: { type: "number" },
  MONETORY: { type: "number" },
  MONETARY: { type: "number" },
  DATE: { type: "datetime" },
  LARGE_TEXT: { type: "text" },
  CHECKBOX: { list: true },
  MULTIPLE_OPTIONS: { list: true },
};

/** The location's custom fields as input fields: `cf_<id>`, labelled with the field's name. */
function customFieldInputs(model) {
  return (z, bundle) =>
    withContext(z, bundle, async (ctx) => {
      const r = await ctx.client.callByKey("get-custom-fields", { locationId: ctx.locationId, model });
      return (r?.customFields || []).map((f) => {
        const options = Array.isArray(f.picklistOptions)
          ? f.picklistOptions.filter((o) => typeof o === "string" && o)
          : [];
        return {
          key: `${CF_PREFIX}${f.id}`,
          label: f.name,
          required: false,
          helpText: `Custom field (${String(f.dataType).toLowerCase()}${f.fieldKey ? `, ${f.fieldKey}` : ""}).`,
          ...(CF_TYPES[String(f.dataType).toUpperCase()] || { type: "string" }),
          ...(options.length ? { choices: options } : {}),
        };
      });
    });
}

/** Manifest fields as Zapier fields: the runtime's `coerce` hint stays out of the definition. */
function zapierInputFields(step) {
  const fields = step.inputFields.map(({ coerce: _c, ...f }) => f);
  return step.customFields ? [...fields, customFieldInputs(step.customFields)] : fields;
}

function operationBase(step) {
  return {
    inputFields: zapierInputFields(step),
    outputFields: step.outputFields,
    sample: step.sample,
  };
}

function display(step) {
  return { label: step.label, description: step.description };
}

/** A polling trigger: the entry's own poll over the last day, newest first, `id` its dedupe key. */
function trigger(key) {
  const step = manifest.triggers[key];
  if (!step) throw new Error(`no trigger ${key} in the manifest`);
  return {
    key,
    noun: step.noun,
    display: display(step),
    operation: {
      type: "polling",
      ...operationBase(step),
      perform: (z, bundle) =>
        withContext(
          z,
          bundle,
          async (ctx) => {
            const entry = engine.getEntry(step.entry);
            const input = toInput(z, step, bundle.inputData || {});
            const cursor = { since: Date.now() - POLL_WINDOW_MS, seen: [], snapshot: [] };
            const res = await engine.pollEntry(entry, ctx, input, cursor);
            const items = res.items.map((item, i) => withDedupeId(asObject(item), res.keys?.[i]));
            if (items.length) {
              // A time-ordered poll gives oldest first; a snapshot of a list has no order of its own.
              const ordered = res.cursor?.snapshot ? newestFirst(items, step.dedupe) : items.reverse();
              return ordered.slice(0, MAX_ITEMS);
            }
            if (bundle.meta?.isLoadingSample && entry.read) {
              // Nothing in the last day: show the newest records as samples instead.
              const read = itemsOf(await engine.runEntry(entry, ctx, input)).map((i) => withDedupeId(i));
              return newestFirst(read, step.dedupe).slice(0, MAX_ITEMS);
            }
            return [];
          },
          step.inputFields,
          step.agency,
        ),
    },
  };
}

/** A search or a create: run the step's catalog entry once with the Zap's input, then shape its answer. */
function runOnce(kind, key, shape) {
  const step = manifest[kind][key];
  if (!step) throw new Error(`no ${key} among the manifest's ${kind}`);
  return {
    key,
    noun: step.noun,
    display: display(step),
    operation: {
      ...operationBase(step),
      perform: (z, bundle) =>
        withContext(
          z,
          bundle,
          async (ctx) =>
            shape(
              await engine.runEntry(
                engine.getEntry(step.entry),
                ctx,
                toInput(z, step, bundle.inputData || {}),
              ),
            ),
          step.inputFields,
          step.agency,
        ),
    },
  };
}

function search(key) {
  return runOnce("searches", key, itemsOf);
}

function create(key) {
  return runOnce("creates", key, createResult);
}

/** Follow "pipelines[].stages" through an answer; `keep` narrows the items of a "[]" step. */
function pathItems(output, path, keep) {
  let cur = [output];
  for (const seg of path.split(".")) {
    const many = seg.endsWith("[]");
    const k = many ? seg.slice(0, -2) : seg;
    cur = cur
      .map((o) => (o && typeof o === "object" ? o[k] : undefined))
      .filter((x) => x !== undefined && x !== null)
      .flat();
    if (many && keep) cur = cur.filter(keep);
  }
  return cur.filter((x) => x && typeof x === "object");
}

/** A hidden trigger behind a dynamic dropdown: the option source's items as {id, name}. */
function helper(key) {
  const h = manifest.helpers[key];
  if (!h) throw new Error(`no dropdown helper ${key} in the manifest`);
  return {
    key,
    noun: h.noun,
    display: {
      label: `${h.noun} options`.slice(0, 64),
      description: `Choices for ${h.noun} fields.`,
      hidden: true,
    },
    operation: {
      type: "polling",
      perform: (z, bundle) =>
        withContext(z, bundle, async (ctx) => {
          const data = bundle.inputData || {};
          const input = {};
          const narrow = [];
          for (const [srcKey, field] of Object.entries(h.dependsOn || {})) {
            if (!present(data[field])) continue;
            if (h.sourceInputs.includes(srcKey)) input[srcKey] = data[field];
            else narrow.push(String(data[field]));
          }
          // A source that needs a field the person has not filled yet offers nothing, rather than failing.
          if (h.sourceRequired.some((k) => !present(input[k]))) return [];
          const out = await engine.runEntry(engine.getEntry(h.entry), ctx, input);
          const keep = narrow.length
            ? (parent) => narrow.includes(String(parent.id ?? parent._id))
            : undefined;
          const items = h.items ? pathItems(out, h.items, keep) : itemsOf(out);
          return items
            .filter((i) => present(i[h.value]))
            .map((i) => ({ ...i, id: String(i[h.value]), name: String(i[h.label] ?? i[h.value]) }));
        }),
    },
  };
}

module.exports = {
  trigger,
  search,
  create,
  helper,
  contextFor,
  withContext,
  baseUrl,
  CF_PREFIX,
  POLL_WINDOW_MS,
};
