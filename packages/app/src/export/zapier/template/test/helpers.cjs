// What the tests share: the connection to a HighLevel sandbox (`hlconnect sandbox --json` prints
// the values), example inputs made real in that account, and the sandbox's request log.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const engine = require("../lib/hlconnect-engine.js");

const dotEnv = path.join(__dirname, "..", ".env");
if (fs.existsSync(dotEnv)) require("zapier-platform-core").tools.env.inject(dotEnv);

function env(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(
      `${name} is not set. These tests run against a HighLevel sandbox: start ` +
        "`hlconnect sandbox --rate-limit 100000/1000 --json` and set " +
        "HIGHLEVEL_BASE_URL (baseUrl), HIGHLEVEL_TOKEN (locationToken), HIGHLEVEL_LOCATION_ID, HIGHLEVEL_COMPANY_ID, HIGHLEVEL_AGENCY_TOKEN (agencyToken), CLIENT_ID and CLIENT_SECRET.",
    );
  }
  return v;
}

const authData = () => ({
  access_token: env("HIGHLEVEL_TOKEN"),
  locationId: env("HIGHLEVEL_LOCATION_ID"),
  companyId: env("HIGHLEVEL_COMPANY_ID"),
  // Agency-only steps (exported with Private Integration Token connections) use the agency token.
  ...(process.env.HIGHLEVEL_AGENCY_TOKEN ? { agencyToken: process.env.HIGHLEVEL_AGENCY_TOKEN } : {}),
});

let exampleCtx;
/** A direct connection (not through Zapier) that makes the records examples refer to. */
function exampleContext() {
  exampleCtx ??= engine.createContext({
    client: new engine.HighLevelClient({
      credentials: env("HIGHLEVEL_TOKEN"),
      baseUrl: env("HIGHLEVEL_BASE_URL"),
      locationId: env("HIGHLEVEL_LOCATION_ID"),
      companyId: env("HIGHLEVEL_COMPANY_ID"),
      // Zapier's tester patches node's http module for its logs; the global fetch is left alone.
      fetch: globalThis.fetch,
    }),
  });
  return exampleCtx;
}

/** A step's example input, with its `$example` references made real, typed as Zapier sends it. */
async function exampleInput(step) {
  const input = await engine.resolveExample(exampleContext(), step.example || {});
  const out = {};
  for (const field of step.inputFields) {
    const v = input[field.key];
    if (v === undefined) continue;
    out[field.key] = field.coerce === "json" && typeof v !== "string" ? JSON.stringify(v) : v;
  }
  return out;
}

async function control(method, path, body) {
  const res = await fetch(`${env("HIGHLEVEL_BASE_URL")}/__sandbox${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`sandbox control ${method} ${path} answered ${res.status}`);
  return res.json();
}

let seenRequestId = 0;
/** The id of the sandbox's newest logged request: what came later is what a step sent. */
async function lastRequestId() {
  const { requests } = await control("GET", `/requests?after=${seenRequestId}`);
  if (requests.length) seenRequestId = requests[requests.length - 1].id;
  return seenRequestId;
}

const requestsAfter = async (id) => (await control("GET", `/requests?after=${id}`)).requests;

module.exports = { env, authData, exampleInput, exampleContext, control, lastRequestId, requestsAfter };
