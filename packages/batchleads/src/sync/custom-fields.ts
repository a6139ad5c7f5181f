// Custom field ids for the import's field names: the location's list is read once per import (and
// kept in the state, so a resumed import does not read it again), and a field the location lacks
// is created the first time a lead needs it. Values are converted to the field's type; a value the
// field cannot take is left out and reported, never fatal.
import { convert } from "@hlconnect/catalog/custom-fields";
import type { ImportApi } from "./api.ts";
import type { ContactPlan } from "./plan.ts";
import type { CachedField, SyncState } from "./state.ts";

export interface FieldProblem {
  field: string;
  message: string;
}

export interface ResolvedFields {
  values: Array<{ id: string; field_value: unknown }>;
  problems: FieldProblem[];
}

export class FieldRegistry {
  private fields: CachedField[] | undefined;
  private loading: Promise<CachedField[]> | undefined;
  private readonly creating = new Map<string, Promise<CachedField>>();
  /** Fields created by this run. */
  created = 0;

  constructor(
    private readonly api: ImportApi,
    private readonly state: SyncState,
    private readonly locationId: string,
    private readonly importId: string,
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

  private async field(name: string, dataType: string): Promise<CachedField> {
    const key = name.trim().toLowerCase();
    const found = (await this.list()).find((f) => f.name.trim().toLowerCase() === key);
    if (found) return found;
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

  /** HighLevel's customFields array for a contact plan's values. */
  async resolve(custom: ContactPlan["custom"]): Promise<ResolvedFields> {
    const values: ResolvedFields["values"] = [];
    const problems: FieldProblem[] = [];
    for (const [name, { spec, value }] of Object.entries(custom)) {
      const field = await this.field(name, spec.dataType);
      const raw = typeof value === "boolean" ? (value ? "Yes" : "No") : value;
      try {
        values.push({ id: field.id, field_value: convert(field, raw) });
      } catch (err) {
        problems.push({ field: field.name, message: err instanceof Error ? err.message : String(err) });
      }
    }
    return { values, problems };
  }
}
