// The mapping file (`--map FILE`): JSON or YAML holding a LeadMapping. Checked field by field, so a
// typo or a wrong type is reported with the file and the field instead of being silently ignored.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { LeadMapping } from "../lead.ts";

export class MappingFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`mapping file ${file}: ${message}`);
    this.name = "MappingFileError";
  }
}

type Check = (v: unknown) => string | undefined;

const isStringArray = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");
const stringList: Check = (v) => (isStringArray(v) ? undefined : "must be a list of strings");
const bool: Check = (v) => (typeof v === "boolean" ? undefined : "must be true or false");
const text: Check = (v) => (typeof v === "string" ? undefined : "must be a string");
const record =
  (value: Check): Check =>
  (v) => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return "must be an object";
    for (const [k, x] of Object.entries(v)) {
      const why = value(x);
      if (why) return `"${k}" ${why}`;
    }
    return undefined;
  };

const FIELDS: Record<keyof LeadMapping, Check> = {
  columns: record(stringList),
  hotStatuses: stringList,
  tags: stringList,
  tagWithList: bool,
  tagBatchleads: bool,
  // "" switches a default custom field off.
  customFields: record(text),
  defaultCountry: text,
  taskTitle: text,
  fieldValues: record(record(text)),
};

/** Check a parsed mapping; `where` names it in errors. */
export function checkMapping(raw: unknown, where: string): LeadMapping {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new MappingFileError(where, "must hold an object (keys such as hotStatuses, tags, customFields)");
  }
  for (const [key, value] of Object.entries(raw)) {
    const check = FIELDS[key as keyof LeadMapping];
    if (!check) {
      throw new MappingFileError(where, `unknown key "${key}" (known: ${Object.keys(FIELDS).join(", ")})`);
    }
    const why = check(value);
    if (why) throw new MappingFileError(where, `"${key}" ${why}`);
  }
  return raw as LeadMapping;
}

export function loadMappingFile(file: string): LeadMapping {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MappingFileError(file, code === "ENOENT" ? "no such file" : (err as Error).message);
  }
  let parsed: unknown;
  try {
    parsed = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new MappingFileError(
      file,
      `is not valid ${/\.json$/i.test(file) ? "JSON" : "YAML or JSON"}: ${(err as Error).message}`,
    );
  }
  return checkMapping(parsed, file);
}
