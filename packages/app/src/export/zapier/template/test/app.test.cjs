// Every trigger, search and create of the app, run through Zapier's own app tester against a
// HighLevel sandbox, which checks each request against HighLevel's spec (Version header included).
"use strict";

const { describe, it } = require("node:test");
const assert = require("node:assert/strict");
const zapier = require("zapier-platform-core");
const { compileApp, validateApp } = require("zapier-platform-core/src/tools/schema");
const App = require("../index.js");
const manifest = require("../lib/manifest.json");
const h = require("./helpers.js");

const appTester = zapier.createAppTester(App);
const run = (perform, inputData, meta = {}) =>
  appTester(perform, { authData: h.authData(), inputData, meta });

/** Run a step and check that each request it made was accepted by the sandbox. */
async function runChecked(perform, inputData, meta) {
  const before = await h.lastRequestId();
  const result = await run(perform, inputData, meta);
  const sent = await h.requestsAfter(before);
  assert.ok(sent.length > 0, "the step sent no request");
  for (const r of sent) assert.ok(r.status < 400, `${r.method} ${r.path} answered ${r.status}`);
  return result;
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

describe("the app definition", () => {
  it("validates against Zapier's schema", () => {
    assert.deepEqual(validateApp(compileApp(App)), []);
  });
});

describe("triggers", () => {
  const found = [];
  for (const step of Object.values(manifest.triggers)) {
    it(`${step.key}: a list, newest first, each item with a unique string id`, async () => {
      const items = await runChecked(App.triggers[step.key].operation.perform, await h.exampleInput(step));
      assert.ok(Array.isArray(items));
      if (items.length) found.push(step.key);
      const ids = items.map((i) => i.id);
      for (const id of ids) assert.equal(typeof id, "string");
      assert.equal(new Set(ids).size, ids.length, "ids repeat");
    });
  }

  // Some lists are empty in any account (a contact's appointments); most triggers find something.
  it("most triggers find items in the sandbox", () => {
    const total = Object.keys(manifest.triggers).length;
    assert.ok(found.length >= total / 2, `only ${found.length} of ${total} triggers found items`);
  });

  if (manifest.triggers.contacts_new && manifest.creates.contacts_create) {
    it("contacts_new: a contact made by contacts_create comes first, its id the contact's", async () => {
      const email = `zapier-${Date.now()}@example.com`;
      const made = await run(App.creates.contacts_create.operation.perform, { firstName: "Zap", email });
      const items = await run(App.triggers.contacts_new.operation.perform, {});
      assert.equal(items[0].id, made.contact.id);
    });
  }
});

describe("searches", () => {
  for (const step of Object.values(manifest.searches)) {
    it(`${step.key}: a list of objects`, async () => {
      const found = await runChecked(App.searches[step.key].operation.perform, await h.exampleInput(step));
      assert.ok(Array.isArray(found));
      for (const item of found) assert.ok(isObject(item));
    });
  }
});

describe("creates", () => {
  for (const step of Object.values(manifest.creates)) {
    it(`${step.key}: one object`, async () => {
      const out = await runChecked(App.creates[step.key].operation.perform, await h.exampleInput(step));
      assert.ok(isObject(out));
      assert.ok(Object.keys(out).length > 0);
    });
  }
});

describe("dynamic dropdowns", () => {
  for (const helper of Object.values(manifest.helpers)) {
    it(`${helper.key}: choices with an id and a name`, async () => {
      const choices = await run(App.triggers[helper.key].operation.perform, {});
      assert.ok(Array.isArray(choices));
      for (const c of choices) {
        assert.equal(typeof c.id, "string");
        assert.equal(typeof c.name, "string");
      }
    });
  }
});

const withCustomFields = Object.values(manifest.creates).find((s) => s.customFields);
if (withCustomFields) {
  describe("custom fields", () => {
    it(`${withCustomFields.key}: the location's custom fields are offered as inputs`, async () => {
      const loader = App.creates[withCustomFields.key].operation.inputFields.find(
        (f) => typeof f === "function",
      );
      const fields = await appTester(loader, { authData: h.authData(), inputData: {} });
      assert.ok(Array.isArray(fields));
      for (const f of fields) assert.match(f.key, /^cf_/);
    });
  });
}

describe("errors a Zap owner sees", () => {
  const lookup = manifest.searches.contacts_get;
  if (lookup) {
    it("an unknown id is reported as not found", async () => {
      await assert.rejects(
        run(App.searches.contacts_get.operation.perform, { contactId: "no-such-contact-id" }),
        (err) => {
          assert.match(err.message, /could not find/i);
          return true;
        },
      );
    });
  }

  const trigger = Object.values(manifest.triggers)[0];
  it("a 429 becomes a ThrottledError with the wait", async () => {
    const inputData = await h.exampleInput(trigger);
    await h.control("POST", "/faults", { rate: 1, kinds: ["429"], seed: 1 });
    try {
      await assert.rejects(run(App.triggers[trigger.key].operation.perform, inputData), (err) => {
        assert.equal(err.name, "ThrottledError");
        const { delay } = JSON.parse(err.message);
        assert.ok(delay >= 1, `delay ${delay}`);
        return true;
      });
    } finally {
      await h.control("DELETE", "/faults");
    }
  });
});
