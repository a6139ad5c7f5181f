// What a Zap owner reads in the editor: step descriptions as sentences, input help that says more
// than the label (a JSON field says the shape to type), for both kinds of app, built in process.
import { describe, expect, it } from "vitest";
import { jsonHint } from "../src/export/zapier/fields.ts";
import { asSentence, buildManifest } from "../src/export/zapier/manifest.ts";

const kinds = { oauth2: buildManifest(), token: buildManifest({ agency: true }) };

describe("Zapier export texts", () => {
  for (const [kind, manifest] of Object.entries(kinds)) {
    const steps = [
      ...Object.values(manifest.triggers),
      ...Object.values(manifest.searches),
      ...Object.values(manifest.creates),
    ];

    it(`${kind}: every trigger, search, create and find-or-create description is a sentence`, () => {
      expect(steps.length).toBeGreaterThan(100);
      for (const d of [...steps, ...Object.values(manifest.searchOrCreates)]) {
        expect(d.description, d.key).toMatch(/^[A-Z0-9"'(].*[.!?]$/s);
        expect(d.description.length, d.key).toBeLessThanOrEqual(1000);
        expect(d.description, d.key).not.toMatch(/[.;,]\s*[.;]/);
      }
    });

    it(`${kind}: help texts say more than the label, and JSON fields say what to type`, () => {
      let json = 0;
      for (const s of steps) {
        for (const f of s.inputFields) {
          if (f.helpText === undefined) continue;
          const where = `${s.key}.${f.key}: ${f.helpText}`;
          expect(f.helpText.length, where).toBeGreaterThanOrEqual(10);
          expect(f.helpText.toLowerCase(), where).not.toBe(f.label.toLowerCase());
          expect(f.helpText, where).toMatch(/[.!?)\]}"]$/);
        }
        for (const f of s.inputFields.filter((x) => x.coerce === "json")) {
          json++;
          expect(f.helpText, `${s.key}.${f.key}`).toMatch(/JSON: .*e\.g\. /);
        }
      }
      expect(json).toBeGreaterThan(10);
    });
  }

  it("turns any description into a sentence and shows a JSON field's shape with an example", () => {
    expect(asSentence("retrieve a specific contact by ID", 1000)).toBe("Retrieve a specific contact by ID.");
    expect(asSentence("Lists things;", 1000)).toBe("Lists things.");
    expect(asSentence("Done!", 1000)).toBe("Done!");
    expect(asSentence("x".repeat(2000), 1000)).toHaveLength(1000);
    expect(
      jsonHint({
        type: "array",
        items: {
          type: "object",
          properties: { kind: { type: "string", enum: ["custom", "zoom"] }, location: { type: "string" } },
          required: ["kind"],
        },
      }),
    ).toBe('JSON: a list of objects with kind, location, e.g. [{"kind": "custom", "location": "..."}].');
    expect(jsonHint({ type: "object", properties: { all: { type: "boolean" } } })).toBe(
      'JSON: an object with all, e.g. {"all": true}.',
    );
    expect(jsonHint({})).toContain("JSON: any value");
  });
});
