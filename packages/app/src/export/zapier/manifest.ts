// The manifest: everything the generated Zapier app needs to know about each exported entry, as
// JSON derived from the catalog's own declarations (describe.ts). The app's shared runtime reads
// it; there is no code per entry.
import { createRequire } from "node:module";
import path from "node:path";
import {
  type CatalogEntry,
  describeEntry,
  entryScopes,
  getEntry,
  inputJsonSchema,
  type OptionSource,
} from "@hlconnect/catalog";
import { templateDir } from "./assets.ts";
import {
  type FieldContext,
  inputFields,
  outputFields,
  type ZapierInputField,
  type ZapierOutputField,
} from "./fields.ts";
import {
  type ExportScope,
  exportable,
  needsAgency,
  type Placement,
  selectEntries,
  type ZapierKind,
} from "./select.ts";

interface Shape {
  itemsOf(output: unknown): Record<string, unknown>[];
  withDedupeId(item: Record<string, unknown>, key?: string): Record<string, unknown>;
  createResult(output: unknown): Record<string, unknown>;
}
let shapeModule: Shape | undefined;
/** The app's own result shaping, so samples look like what the app returns; loaded on first use. */
function shape(): Shape {
  shapeModule ??= createRequire(import.meta.url)(path.join(templateDir(), "lib/shape.cjs")) as Shape;
  return shapeModule;
}

export interface StepSpec {
  key: string;
  /** The catalog entry it runs. */
  entry: string;
  kind: ZapierKind;
  label: string;
  noun: string;
  description: string;
  inputFields: ZapierInputField[];
  outputFields: ZapierOutputField[];
  sample: Record<string, unknown>;
  /** Polling triggers: what makes an item new ("id") or changed ("id+updated"). */
  dedupe?: "id" | "id+updated";
  /** Entries taking custom fields by name: which of the location's fields to offer as inputs. */
  customFields?: "contact" | "opportunity";
  /** The entry's example input ({"$example": ...} resolved at test time). */
  example: Record<string, unknown>;
  /** Runs with the connection's agency token (the operation refuses location tokens). */
  agency?: boolean;
}

export interface HelperSpec {
  key: string;
  entry: string;
  value: string;
  label: string;
  items?: string;
  dependsOn?: Record<string, string>;
  noun: string;
  /** The source's input fields, and those it requires: a dependency it does not take narrows instead. */
  sourceInputs: string[];
  sourceRequired: string[];
}

export interface SearchOrCreateSpec {
  key: string;
  label: string;
  description: string;
  search: string;
  create: string;
}

export interface Manifest {
  generator: string;
  categories: string[];
  /** OAuth scopes: the union of the exported entries' scopes and their dropdown sources'. */
  scopes: string[];
  triggers: Record<string, StepSpec>;
  searches: Record<string, StepSpec>;
  creates: Record<string, StepSpec>;
  helpers: Record<string, HelperSpec>;
  searchOrCreates: Record<string, SearchOrCreateSpec>;
}

/** A Zapier key (letters, digits, underscores) from a catalog key: highlevel.contacts.new -> contacts_new. */
export function zapierKey(entryKey: string): string {
  return entryKey
    .replace(/^highlevel\./, "")
    .replace(/[^a-zA-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

const VERBS =
  /^(get|list|search|find|create|update|delete|add|remove|new|updated|upsert|send|complete|filter|validate|check)\s+/i;

/** "Get Contact Task by ID" -> "Contact Task": what Zapier's UI calls the thing. */
function nounOf(e: CatalogEntry): string {
  let n = e.name.replace(/\s+\(.*\)$/, "").replace(/\s+(by|for|from|to|in|of)\s+.*$/i, "");
  while (VERBS.test(n)) n = n.replace(VERBS, "");
  n = n.trim();
  return n.length >= 2 ? n.slice(0, 255) : e.category;
}

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 3).trimEnd()}...`);

/**
 * Zapier shows a step's description as a sentence in the editor (and its style check wants one):
 * a capital first letter and a final stop, whatever the catalog's text ended with.
 */
export function asSentence(text: string, max: number): string {
  const t = text.trim().replace(/\s+/g, " ");
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  const stopped = /[.!?]$/.test(capital) ? capital : `${capital.replace(/[,;:]$/, "")}.`;
  return clip(stopped, max);
}

function helperKey(s: OptionSource): string {
  const parts = [zapierKey(s.entry)];
  if (s.items) parts.push(zapierKey(s.items));
  if (s.value !== "id") parts.push(zapierKey(s.value));
  if (s.label !== "name") parts.push(zapierKey(s.label));
  // Zapier hands a dropdown the step's inputs: the field it depends on is part of what it is.
  for (const field of Object.values(s.dependsOn ?? {})) parts.push(`by_${zapierKey(field)}`);
  return `options_${parts.join("_")}`.replace(/_+/g, "_");
}

function sampleFor(kind: ZapierKind, e: CatalogEntry): Record<string, unknown> {
  const raw = e.output.sample;
  if (kind === "create") return shape().createResult(raw);
  const item = shape().itemsOf(raw)[0] ?? {};
  if (kind === "search") return Object.keys(item).length ? item : { id: "sample" };
  const dedupe = e.kind === "trigger" && e.trigger.type === "polling" ? e.trigger.dedupe : "id";
  const own = item.id ?? item._id ?? "sample";
  const key = dedupe === "id" ? String(own) : `${own}@1700000000000`;
  return shape().withDedupeId(item, key);
}

function customFieldModel(e: CatalogEntry): "contact" | "opportunity" | undefined {
  const props = (inputJsonSchema(e).properties ?? {}) as Record<string, { format?: string }>;
  if (!Object.values(props).some((p) => p.format === "custom-fields")) return undefined;
  return e.key.includes("opportunit") ? "opportunity" : "contact";
}

export function buildManifest(opts: { only?: string[] } & ExportScope = {}): Manifest {
  const scope: ExportScope = { agency: opts.agency === true };
  const placements: Placement[] = selectEntries(opts.only, scope);
  const helpers: Record<string, HelperSpec> = {};
  const scopes = new Set<string>();
  const fc: FieldContext = {
    helperFor(source) {
      let src: CatalogEntry;
      try {
        src = getEntry(source.entry);
      } catch {
        return undefined;
      }
      if (!exportable(src) || needsAgency(src)) return undefined;
      const key = helperKey(source);
      for (const s of entryScopes(src)) scopes.add(s);
      helpers[key] ??= {
        key,
        entry: src.key,
        value: source.value,
        label: source.label,
        ...(source.items ? { items: source.items } : {}),
        ...(source.dependsOn ? { dependsOn: source.dependsOn } : {}),
        noun: nounOf(src),
        sourceInputs: Object.keys((inputJsonSchema(src).properties ?? {}) as object),
        sourceRequired: (inputJsonSchema(src).required as string[] | undefined) ?? [],
      };
      return key;
    },
  };
  const manifest: Manifest = {
    generator: "hlconnect export zapier",
    categories: [...new Set(placements.map((p) => p.entry.category))],
    scopes: [],
    triggers: {},
    searches: {},
    creates: {},
    helpers,
    searchOrCreates: {},
  };
  for (const { entry, kinds } of placements) {
    const d = describeEntry(entry);
    for (const s of entryScopes(entry)) scopes.add(s);
    for (const kind of kinds) {
      const key = zapierKey(entry.key);
      const model = customFieldModel(entry);
      const step: StepSpec = {
        key,
        entry: entry.key,
        kind,
        label: clip(entry.name, 64),
        noun: nounOf(entry),
        description: asSentence(entry.description || entry.name, 1000),
        inputFields: inputFields(d.input as Record<string, unknown>, fc),
        outputFields: outputFields(sampleFor(kind, entry)),
        sample: sampleFor(kind, entry),
        ...(entry.kind === "trigger" && entry.trigger.type === "polling" && kind === "trigger"
          ? { dedupe: entry.trigger.dedupe }
          : {}),
        ...(model ? { customFields: model } : {}),
        example: entry.example,
        ...(needsAgency(entry) ? { agency: true } : {}),
      };
      const table =
        kind === "trigger" ? manifest.triggers : kind === "search" ? manifest.searches : manifest.creates;
      if (table[key]) throw new Error(`two catalog entries map to the Zapier ${kind} key ${key}`);
      table[key] = step;
    }
  }
  // Find X pairs with Create X: Zapier offers "create it if it is not found" on the search step.
  for (const s of Object.values(manifest.searches)) {
    if (!s.entry.endsWith(".find")) continue;
    const create = Object.values(manifest.creates).find(
      (c) => c.entry === s.entry.replace(/\.find$/, ".create"),
    );
    if (!create) continue;
    manifest.searchOrCreates[s.key] = {
      key: s.key,
      label: clip(`Find or Create ${s.noun}`, 64),
      description: asSentence(`${s.description} Creates one when nothing matches.`, 1000),
      search: s.key,
      create: create.key,
    };
  }
  manifest.scopes = [...scopes].sort();
  return manifest;
}

/** Counts for reports and the CLI summary. */
export function manifestCounts(m: Manifest) {
  return {
    triggers: Object.keys(m.triggers).length,
    searches: Object.keys(m.searches).length,
    creates: Object.keys(m.creates).length,
    helpers: Object.keys(m.helpers).length,
    searchOrCreates: Object.keys(m.searchOrCreates).length,
  };
}
