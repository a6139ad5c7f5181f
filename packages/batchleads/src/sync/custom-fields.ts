// Custom field ids for the import's field names: the location's list is read once per import (and
// kept in the state, so a resumed import does not read it again), and a field the location lacks
// is created the first time a lead needs it. Values are converted to the field's type; a picklist
// value is placed on an option that means the same (field-values.ts), and the options no value
// matches are added to the field before the first lead is written: one update per field. A value
// the field still cannot take is left out and reported per field, never fatal.
import { convert } from "@hlconnect/catalog/custom-fields";
import type { ImportApi } from "./api.ts";
import { isOptionField, matchOption } from "./field-values.ts";
import type { ContactPlan } from "./plan.ts";
import type { FieldSpec } from "./settings.ts";
import type { CachedField, SyncState } from "./state.ts";

export interface FieldProblem {
  field: string;
  value: string;
  message: string;
}

export interface ResolvedFields {
  values: Array<{ id: string; field_value: unknown }>;
  /** The same values by the import's field name. */
  byName: Record<string, { id: string; field_value: unknown }>;
  problems: FieldProblem[];
  /** Values written onto an option spelled otherwise: "Condominium -> Condo". */
  mapped: string[];
}

/** Per field, over the import: what happened to the values it was given. */
export interface FieldReport {
  field: string;
  dataType: string;
  /** "Condominium -> Condo": leads written with it. */
  mapped: Record<string, number>;
  /** Options this import added to the field. */
  added: string[];
  /** Values left out: the value, how many leads, and why. */
  dropped: Array<{ value: string; leads: number; why: string }>;
}

export interface FieldRegistryOptions {
  /** The mapping file's `fieldValues`: field name -> (value -> option, "" = leave out). */
  fieldValues?: Record<string, Record<string, string>>;
  /** Never change a field's options (`--no-new-options`). */
  noNewOptions?: boolean;
}

export class FieldRegistry {
  private fields: CachedField[] | undefined;
  private loading: Promise<CachedField[]> | undefined;
  private readonly creating = new Map<string, Promise<CachedField>>();
  private readonly reports = new Map<string, FieldReport>();
  /** Fields created by this run. */
  created = 0;

  constructor(
    private readonly api: ImportApi,
    private readonly state: SyncState,
    private readonly locationId: string,
    private readonly importId: string,
    private readonly options: FieldRegistryOptions = {},
  ) {}

  private async list(): Promise<CachedField[]> {
    if (this.fields) return this.fields;
    const cached = this.state.cachedFields(this.locationId, this.importId);
    if (cached) {
      this.fields = cached;
      return cached;
    }
    this.loading ??= this.api.listCustomFields().then((fields) => {
      this.state.cacheFields(this.locationId, this.importId, fields);
      this.fields = fields;
      return fields;
    });
    return this.loading;
  }

  async existing(name: string): Promise<CachedField | undefined> {
    const key = name.trim().toLowerCase();
    return (await this.list()).find((f) => f.name.trim().toLowerCase() === key);
  }

  private replaceCached(field: CachedField): void {
    this.fields = (this.fields ?? []).map((f) => (f.id === field.id ? field : f));
    this.state.cacheFields(this.locationId, this.importId, this.fields);
  }

  async field(name: string, dataType: string): Promise<CachedField> {
    const found = await this.existing(name);
    if (found) return found;
    const key = name.trim().toLowerCase();
    let pending = this.creating.get(key);
    if (!pending) {
      pending = this.api.createCustomField(name, dataType).then((f) => {
        this.created++;
        this.fields = [...(this.fields ?? []), f];
        this.state.cacheFields(this.locationId, this.importId, this.fields);
        return f;
      });
      this.creating.set(key, pending);
      // A failed create may be tried again by a later lead.
      pending.catch(() => this.creating.delete(key));
    }
    return pending;
  }

  private report(field: CachedField): FieldReport {
    let r = this.reports.get(field.name);
    if (!r) {
      r = { field: field.name, dataType: field.dataType, mapped: {}, added: [], dropped: [] };
      this.reports.set(field.name, r);
    }
    return r;
  }

  /** Per-field outcomes so far; only fields where something was mapped, added or dropped. */
  fieldReports(): FieldReport[] {
    return [...this.reports.values()].filter(
      (r) => r.added.length || r.dropped.length || Object.keys(r.mapped).length,
    );
  }

  private preparing: Promise<void> | undefined;
  private preparer: (() => Promise<void>) | undefined;

  /** Run `prepareOptions` lazily, before the first value is resolved (a run writing nothing reads nothing). */
  prepareBeforeFirstWrite(
    specs: Record<string, FieldSpec>,
    valuesOf: (fact: string) => Array<{ value: string; leads: number }>,
  ): void {
    this.preparer = () => this.prepareOptions(specs, valuesOf);
  }

  /**
   * Before the first lead: for each picklist field the import writes, the values of the staged leads no
   * option means, added to the field in one update (unless `noNewOptions`).
   */
  async prepareOptions(
    specs: Record<string, FieldSpec>,
    valuesOf: (fact: string) => Array<{ value: string; leads: number }>,
  ): Promise<void> {
    for (const [fact, spec] of Object.entries(specs)) {
      const field = await this.existing(spec.name);
      if (!field || !isOptionField(field.dataType)) continue;
      const options = field.picklistOptions ?? [];
      const own = this.ownValues(field.name);
      const missing: string[] = [];
      for (const { value } of valuesOf(fact)) {
        for (const part of this.parts(field, value)) {
          const m = matchOption(part, options, own);
          if (m?.option === null) continue; // left out by the mapping file
          const wanted = m ? m.option : part.trim();
          if (!options.includes(wanted) && !missing.includes(wanted)) missing.push(wanted);
        }
      }
      if (!missing.length || this.options.noNewOptions) continue;
      const updated = await this.api.updateCustomFieldOptions(field, [...options, ...missing]);
      this.replaceCached({ ...field, picklistOptions: updated.picklistOptions ?? [...options, ...missing] });
      this.report(field).added.push(...missing);
    }
  }

  private ownValues(fieldName: string): Record<string, string> | undefined {
    const all = this.options.fieldValues ?? {};
    const key = Object.keys(all).find((k) => k.trim().toLowerCase() === fieldName.trim().toLowerCase());
    return key ? all[key] : undefined;
  }

  private parts(field: CachedField, value: string): string[] {
    const multi = ["MULTIPLE_OPTIONS", "CHECKBOX"].includes(field.dataType.toUpperCase());
    return multi
      ? value
          .split(",")
          .map((v) => v.trim())
          .filter(Boolean)
      : [value];
  }

  private drop(field: CachedField, value: string, why: string, problems: FieldProblem[]): void {
    const r = this.report(field);
    const seen = r.dropped.find((d) => d.value === value && d.why === why);
    if (seen) seen.leads++;
    else r.dropped.push({ value, leads: 1, why });
    problems.push({ field: field.name, value, message: why });
  }

  /** A picklist value as the field's option(s), or undefined (dropped and reported). */
  private pick(field: CachedField, raw: string, problems: FieldProblem[], mapped: string[]): unknown {
    const options = field.picklistOptions ?? [];
    const own = this.ownValues(field.name);
    const picked: string[] = [];
    for (const part of this.parts(field, raw)) {
      const m = options.length ? matchOption(part, options, own) : { option: part, how: "same" as const };
      if (m?.option === null) {
        this.drop(field, part, "left out by the mapping file (fieldValues)", problems);
        continue;
      }
      if (!m || !options.includes(m.option)) {
        const why = this.options.noNewOptions
          ? `not one of the field's options (${options.join(", ")}); --no-new-options`
          : `not one of the field's options (${options.join(", ")})`;
        this.drop(field, part, why, problems);
        continue;
      }
      if (m.how !== "same") {
        const label = `${part} -> ${m.option}`;
        const r = this.report(field);
        r.mapped[label] = (r.mapped[label] ?? 0) + 1;
        mapped.push(`${field.name}: ${label}`);
      }
      picked.push(m.option);
    }
    if (!picked.length) return undefined;
    return ["MULTIPLE_OPTIONS", "CHECKBOX"].includes(field.dataType.toUpperCase()) ? picked : picked[0];
  }

  /** HighLevel's customFields array for a contact plan's values. */
  async resolve(custom: ContactPlan["custom"]): Promise<ResolvedFields> {
    const values: ResolvedFields["values"] = [];
    const byName: ResolvedFields["byName"] = {};
    const problems: FieldProblem[] = [];
    const mapped: string[] = [];
    if (this.preparer) {
      this.preparing ??= this.preparer();
      // A failed update is tried again by the next lead instead of failing them all.
      await this.preparing.catch((err: unknown) => {
        this.preparing = undefined;
        throw err;
      });
    }
    const put = (name: string, v: { id: string; field_value: unknown }) => {
      values.push(v);
      byName[name] = v;
    };
    for (const [name, { spec, value }] of Object.entries(custom)) {
      const field = await this.field(name, spec.dataType);
      const raw = typeof value === "boolean" ? (value ? "Yes" : "No") : value;
      if (isOptionField(field.dataType)) {
        const v = this.pick(field, String(raw), problems, mapped);
        if (v !== undefined) put(name, { id: field.id, field_value: v });
        continue;
      }
      try {
        put(name, { id: field.id, field_value: convert(field, raw) });
      } catch (err) {
        const why =
          err instanceof Error ? err.message.replace(/^Custom field "[^"]*" \([^)]*\): /, "") : String(err);
        this.drop(field, String(raw), why, problems);
      }
    }
    return { values, byName, problems, mapped };
  }
}
