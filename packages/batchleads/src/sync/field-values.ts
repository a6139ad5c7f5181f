// Values onto a location's picklist options: the same text however it is spelled ("single-family" is
// "Single Family"), then known synonyms of BatchLeads' wording ("Condominium" is "Condo"), then the
// user's own choices from the mapping file (`fieldValues`), which win. A value none of these place
// is "missing": the import adds it as an option (once per field) or drops it, and says which.

/** Lowercased, "&" read as "and", every run of other characters one space. */
export function optionText(s: string): string {
  return s
    .toLowerCase()
    .replaceAll("&", " and ")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/**
 * Groups of words meaning one thing, as BatchLeads and HighLevel users write them. The first of a
 * group is only a name: a value maps to whichever member of its group the field has as an option.
 */
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  [
    "single family",
    "single family residential",
    "single family residence",
    "single family home",
    "sfr",
    "sfh",
    "house",
  ],
  ["condo", "condominium", "condominiums", "condos"],
  ["townhouse", "townhome", "town house", "town home", "townhouses", "townhomes"],
  [
    "multi family",
    "multifamily",
    "multi family 2 4 units",
    "multi family 2 to 4 units",
    "duplex",
    "triplex",
    "quadruplex",
    "fourplex",
    "2 4 units",
    "multi family dwelling",
  ],
  ["land", "vacant land", "lot", "vacant lot", "residential vacant land", "acreage"],
  ["mobile home", "manufactured home", "manufactured", "mobile manufactured home", "trailer"],
  ["yes", "y", "true"],
  ["no", "n", "false"],
];

const GROUP_OF = new Map<string, number>();
SYNONYM_GROUPS.forEach((group, i) => {
  for (const word of group) GROUP_OF.set(optionText(word), i);
});

export type OptionMatch =
  | { option: string; how: "same" | "synonym" | "mapping" }
  | { option: null; how: "mapping" }
  | undefined;

/**
 * The option of `options` a value means, or undefined when none; `{option: null}` when the mapping
 * file says to leave the value out. `own` is the field's entry of the mapping file's `fieldValues`.
 */
export function matchOption(
  value: string,
  options: readonly string[],
  own?: Record<string, string>,
): OptionMatch {
  const text = optionText(value);
  if (own) {
    for (const [from, to] of Object.entries(own)) {
      if (optionText(from) !== text) continue;
      if (!to.trim()) return { option: null, how: "mapping" };
      const hit = options.find((o) => optionText(o) === optionText(to));
      // Mapped to an option the field lacks: that option is the one to add.
      return { option: hit ?? to.trim(), how: "mapping" };
    }
  }
  const same = options.find((o) => optionText(o) === text);
  if (same) return { option: same, how: "same" };
  const group = GROUP_OF.get(text);
  if (group !== undefined) {
    const hit = options.find((o) => GROUP_OF.get(optionText(o)) === group);
    if (hit) return { option: hit, how: "synonym" };
  }
  return undefined;
}

/** Field types whose values must be one of the field's options. */
export function isOptionField(dataType: string): boolean {
  return ["SINGLE_OPTIONS", "MULTIPLE_OPTIONS", "RADIO", "CHECKBOX"].includes(dataType.toUpperCase());
}
