// Custom fields by name: the gap every peer leaves. A person writes {"Estimated Value": 250000};
// we resolve the name to the field's id through the location's field list (cached, refreshed once
// on a miss) and convert the value to the field's type.
import { closest, type HighLevelClient, HighLevelError } from "@hlconnect/client";
import { parseDateInput } from "./fields.ts";

export interface CustomField {
  id: string;
  name: string;
  fieldKey?: string;
  dataType: string;
  model?: string;
  picklistOptions?: string[];
}

export interface CustomFieldValue {
  id: string;
  value?: unknown;
  field_value?: unknown;
}

export class CustomFieldError extends HighLevelError {
  constructor(message: string, messages: string[] = []) {
    super(message, { code: "INVALID_REQUEST", messages });
    this.name = "CustomFieldError";
  }
}

export class CustomFieldResolver {
  private fields: CustomField[] | undefined;
  private loading: Promise<CustomField[]> | undefined;
  private refreshedAfterMiss = false;

  constructor(
    private readonly client: HighLevelClient,
    private readonly locationId: string,
    private readonly model: "contact" | "opportunity" | "all" = "all",
  ) {}

  /** The location's fields, fetched once and shared by concurrent callers. */
  async list(force = false): Promise<CustomField[]> {
    if (this.fields && !force) return this.fields;
    this.loading ??= this.client
      .call("get-custom-fields", { locationId: this.locationId, model: this.model })
      .then((r) => ((r as { customFields?: CustomField[] }).customFields ?? []) as CustomField[])
      .finally(() => {
        this.loading = undefined;
      });
    this.fields = await this.loading;
    return this.fields;
  }

  /** Find a field by id, fieldKey ("contact.estimated_value" or "estimated_value") or name. */
  async find(ref: string): Promise<CustomField> {
    const hit = match(await this.list(), ref);
    if (hit) return hit;
    // A field made since we cached the list: refresh once per resolver, then give up.
    if (!this.refreshedAfterMiss) {
      this.refreshedAfterMiss = true;
      const again = match(await this.list(true), ref);
      if (again) return again;
    }
    const names = (this.fields ?? []).map((f) => f.name);
    const near = closest(ref, names, 3);
    throw new CustomFieldError(
      `Unknown custom field "${ref}".${near.length ? ` Close matches: ${near.map((n) => `"${n}"`).join(", ")}.` : ""} ` +
        `This location has ${names.length} custom fields; see \`hlconnect ops run highlevel.locations.custom-fields.list\`.`,
    );
  }

  /** Turn {"Estimated Value": "250,000"} into HighLevel's [{id, value: 250000}], checking every value. */
  async toApi(values: Record<string, unknown>): Promise<CustomFieldValue[]> {
    const out: CustomFieldValue[] = [];
    const problems: string[] = [];
    for (const [ref, raw] of Object.entries(values)) {
      try {
        const field = await this.find(ref);
        out.push({ id: field.id, value: convert(field, raw) });
      } catch (err) {
        problems.push(err instanceof Error ? err.message : String(err));
      }
    }
    if (problems.length) throw new CustomFieldError(problems.join(" "), problems);
    return out;
  }
}

function norm(s: string): string {
  return s.trim().toLowerCase().replace(/\s+/g, " ");
}

function match(fields: CustomField[], ref: string): CustomField | undefined {
  const r = norm(ref);
  return (
    fields.find((f) => f.id === ref) ??
    fields.find((f) => f.fieldKey && (norm(f.fieldKey) === r || norm(f.fieldKey).split(".").pop() === r)) ??
    fields.find((f) => norm(f.name) === r)
  );
}

/** Convert a value to what the field's type stores, or say clearly why it cannot be. */
export function convert(field: CustomField, raw: unknown): unknown {
  if (raw === null || raw === undefined || raw === "") return "";
  const type = field.dataType.toUpperCase();
  const bad = (why: string) => new CustomFieldError(`Custom field "${field.name}" (${type}): ${why}`);
  switch (type) {
    case "NUMERICAL":
    case "MONETORY":
    case "MONETARY": {
      const n = typeof raw === "number" ? raw : Number(String(raw).replace(/[$,\s]/g, ""));
      if (!Number.isFinite(n)) throw bad(`"${String(raw)}" is not a number`);
      return n;
    }
    case "DATE": {
      const d = parseDateInput(raw);
      if (!d) throw bad(`"${String(raw)}" is not a date`);
      return d.toISOString().slice(0, 10);
    }
    case "CHECKBOX":
    case "MULTIPLE_OPTIONS": {
      const list = (Array.isArray(raw) ? raw : String(raw).split(","))
        .map((x) => String(x).trim())
        .filter(Boolean);
      return list.map((v) => pickOption(field, v, bad));
    }
    case "SINGLE_OPTIONS":
    case "RADIO":
      return pickOption(field, String(raw).trim(), bad);
    default:
      return typeof raw === "object" ? JSON.stringify(raw) : String(raw);
  }
}

function pickOption(field: CustomField, v: string, bad: (why: string) => Error): string {
  const options = field.picklistOptions ?? [];
  if (options.length === 0) return v;
  const hit = options.find((o) => o.toLowerCase() === v.toLowerCase());
  if (!hit) throw bad(`"${v}" is not one of ${options.map((o) => `"${o}"`).join(", ")}`);
  return hit;
}
