// The lead's key: one property whatever way a row writes it. "123 North Main Street, Apt. 4" and
// "123 N MAIN ST #4" are the same house, so case, punctuation, whitespace, street suffixes, directions and
// unit words are folded before the address becomes part of the key.
import { stateCode } from "./values.ts";

const SUFFIXES: Record<string, string> = {
  alley: "aly",
  avenue: "ave",
  av: "ave",
  aven: "ave",
  boulevard: "blvd",
  boul: "blvd",
  circle: "cir",
  circ: "cir",
  court: "ct",
  cove: "cv",
  crossing: "xing",
  drive: "dr",
  drv: "dr",
  expressway: "expy",
  freeway: "fwy",
  highway: "hwy",
  lane: "ln",
  loop: "loop",
  parkway: "pkwy",
  pky: "pkwy",
  place: "pl",
  plaza: "plz",
  point: "pt",
  road: "rd",
  route: "rte",
  square: "sq",
  street: "st",
  str: "st",
  terrace: "ter",
  trail: "trl",
  turnpike: "tpke",
  way: "way",
};

const DIRECTIONS: Record<string, string> = {
  north: "n",
  south: "s",
  east: "e",
  west: "w",
  northeast: "ne",
  northwest: "nw",
  southeast: "se",
  southwest: "sw",
};

const ORDINALS: Record<string, string> = {
  first: "1st",
  second: "2nd",
  third: "3rd",
  fourth: "4th",
  fifth: "5th",
  sixth: "6th",
  seventh: "7th",
  eighth: "8th",
  ninth: "9th",
  tenth: "10th",
};

/** Words that introduce a unit number, all folded to "#". */
const UNITS = new Set(["apt", "apartment", "unit", "ste", "suite", "no", "num", "number", "#"]);

/** The comparison form of a street address: lowercase words, abbreviations folded, units as "# 4". */
export function normalizeStreet(address: string): string {
  const words = address
    .toLowerCase()
    .replace(/#/g, " # ")
    // "O'Neil" = "ONeil"; other punctuation separates words.
    .replace(/['`’]/g, "")
    .replace(/[.,;:"()]/g, " ")
    // "1st-floor" and "N-Main" style hyphens separate words; "12-14" ranges keep theirs.
    .replace(/(?<=[a-z])-|-(?=[a-z])/g, " ")
    .split(/\s+/)
    .filter((w) => w !== "");
  const out: string[] = [];
  for (const w of words) {
    if (UNITS.has(w)) {
      if (out[out.length - 1] !== "#") out.push("#");
      continue;
    }
    out.push(SUFFIXES[w] ?? DIRECTIONS[w] ?? ORDINALS[w] ?? w);
  }
  return out.join(" ");
}

/** Folded lowercase text for key parts (county, state). "Miami-Dade County" -> "miami dade". */
function keyPart(v: string | undefined): string {
  return (v ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .replace(/\s+county$|\s+parish$/, "")
    .trim();
}

/** An APN as a key part: separators dropped ("188-65-7851" = "188 65 7851" = "188.65.7851"). */
function apnPart(apn: string): string {
  return apn
    .toLowerCase()
    .replace(/\.0+$/, "")
    .replace(/[^a-z0-9]/g, "");
}

export interface KeyParts {
  apn?: string;
  county?: string;
  state?: string;
  address?: string;
  zip?: string;
}

/**
 * The lead key, or undefined when the row has neither an APN nor a property address with its ZIP.
 * An APN needs its county and state to be unique; without them the address is used when there is one, and the
 * APN alone (with what there is of county/state) otherwise.
 */
export function leadKey(p: KeyParts): string | undefined {
  const apn = p.apn ? apnPart(p.apn) : "";
  const county = keyPart(p.county);
  const state = keyPart(stateCode(p.state));
  if (apn && county && state) return `apn:${apn}|${county}|${state}`;
  const street = p.address ? normalizeStreet(p.address) : "";
  if (street && p.zip) return `addr:${street}|${p.zip}`;
  if (apn) return `apn:${apn}|${county}|${state}`;
  return undefined;
}

/** "6568 Hillcrest Rd, Orlando, FL 32819" from whatever parts there are. */
export function formatAddress(a: { address?: string; city?: string; state?: string; zip?: string }): string {
  const stateZip = [a.state, a.zip].filter(Boolean).join(" ");
  return [a.address, a.city, stateZip].filter(Boolean).join(", ");
}
