// First and last names from a full name as people and lead lists write it: "John Smith",
// "Smith, John", "Dr. John Q. Smith Jr.", "Ludwig van Beethoven". Company names are not split.
import { scalarText } from "../values.ts";
import type { TransformTable } from "./types.ts";

const PREFIXES = new Set(["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "madam"]);
const SUFFIXES = new Set([
  "jr",
  "sr",
  "ii",
  "iii",
  "iv",
  "vi",
  "vii",
  "md",
  "phd",
  "dds",
  "dvm",
  "esq",
  "cpa",
  "rn",
]);
const PARTICLES = new Set([
  "van",
  "von",
  "de",
  "der",
  "den",
  "del",
  "della",
  "di",
  "da",
  "dos",
  "das",
  "du",
  "la",
  "le",
]);
// Words that make a name an organisation; only counted after the first word ("Pa Vang" is a person).
const ENTITY_WORDS = new Set(
  (
    "llc inc incorporated corp corporation co company ltd limited llp lp lllp pllc pc gmbh plc trust trustee " +
    "estate holdings properties property realty investments investment group partners partnership capital " +
    "enterprises associates solutions services bank foundation church ventures fund management mgmt homes " +
    "assn association"
  ).split(" "),
);

const bare = (token: string) => token.toLowerCase().replace(/[.,]/g, "");

export interface NameParts {
  first: string;
  last: string | null;
}

/** The parts of a full name; an organisation is all first name; null when there is no name. */
export function splitName(full: string): NameParts | null {
  const text = full.replace(/\s+/g, " ").trim();
  if (text === "") return null;
  const words = text.split(" ");
  if (words.slice(1).some((w) => ENTITY_WORDS.has(bare(w)))) return { first: text, last: null };

  // "Smith, John" puts the last name first; a comma before a suffix ("John Smith, Jr.") does not.
  const pieces = text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "" && !p.split(" ").every((w) => SUFFIXES.has(bare(w))));
  if (pieces.length >= 2) {
    const last = clean(pieces[0]!.split(" ")).join(" ");
    const given = clean(pieces[1]!.split(" "));
    if (given.length && last) return { first: given[0]!, last };
  }

  const tokens = clean(pieces.join(" ").split(" "));
  if (tokens.length === 0) return null;
  if (tokens.length === 1) return { first: tokens[0]!, last: null };
  let start = tokens.length - 1;
  while (start > 1 && PARTICLES.has(bare(tokens[start - 1]!))) start--;
  return { first: tokens[0]!, last: tokens.slice(start).join(" ") };
}

/** Drops titles in front, suffixes at the end and stray commas. */
function clean(tokens: string[]): string[] {
  const out = tokens.map((t) => t.replace(/,+$/, "")).filter((t) => t !== "");
  while (out.length > 1 && PREFIXES.has(bare(out[0]!))) out.shift();
  while (out.length > 1 && SUFFIXES.has(bare(out.at(-1)!))) out.pop();
  return out;
}

export const nameTransforms: TransformTable = {
  firstName: {
    describe:
      'The first name of a full name ("Smith, John", titles and suffixes handled); a company name ("ACME LLC") is returned whole.',
    args: [],
    examples: [
      ['"Dr. John Q. Smith Jr." | firstName', '"John"'],
      ['"Smith, John" | firstName', '"John"'],
      ['"ACME Holdings LLC" | firstName', '"ACME Holdings LLC"'],
    ],
    apply: (input) => {
      const s = scalarText(input);
      return s === undefined ? null : (splitName(s)?.first ?? null);
    },
  },
  lastName: {
    describe:
      'The last name of a full name, with particles ("van Beethoven") and without suffixes; null for a single word or a company name.',
    args: [],
    examples: [
      ['"John Smith III" | lastName', '"Smith"'],
      ['"Ludwig van Beethoven" | lastName', '"van Beethoven"'],
      ['"ACME LLC" | lastName', "null"],
    ],
    apply: (input) => {
      const s = scalarText(input);
      return s === undefined ? null : (splitName(s)?.last ?? null);
    },
  },
};
