// Cell values as BatchLeads (and spreadsheets round-tripping its files) write them: "Yes"/"No" flags,
// "$316,000", "57%", MM-DD-YYYY dates, ZIP+4, numbers that gained a ".0". Each parser returns undefined for a
// blank cell and null for a value it cannot read, so callers can report the latter.

/** Trimmed, inner whitespace (line breaks too) folded to one space; undefined when blank. */
export function clean(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const s = v.replace(/\s+/g, " ").trim();
  return s === "" ? undefined : s;
}

const TRUE = new Set(["yes", "y", "true", "t", "1", "x"]);
const FALSE = new Set(["no", "n", "false", "f", "0"]);

export function parseBool(v: string | undefined): boolean | undefined | null {
  const s = clean(v)?.toLowerCase();
  if (s === undefined) return undefined;
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return null;
}

/** "1,234", "2.5", "1234.0", "(1,000)" (negative). */
export function parseNumber(v: string | undefined): number | undefined | null {
  let s = clean(v);
  if (s === undefined) return undefined;
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  s = s.replace(/[,\s]/g, "");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return null;
  const n = Number(s);
  if (!Number.isFinite(n)) return null;
  return negative ? -n : n;
}

/** "$316,000", "316000", "-$12,500", "($12,500)", "$1.2M", "350K". */
export function parseMoney(v: string | undefined): number | undefined | null {
  let s = clean(v);
  if (s === undefined) return undefined;
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (s.startsWith("-")) {
    negative = !negative;
    s = s.slice(1).trim();
  }
  s = s.replace(/^(usd\s*)?\$/i, "").replace(/\s*usd$/i, "");
  let scale = 1;
  const suffix = /^(.*?)\s*([kmb])$/i.exec(s);
  if (suffix) {
    s = suffix[1]!;
    scale = { k: 1e3, m: 1e6, b: 1e9 }[suffix[2]!.toLowerCase() as "k" | "m" | "b"];
  }
  const n = parseNumber(s);
  if (n === undefined || n === null) return null;
  // Scaling by 1e3/1e6 can leave binary noise (1.2 * 1e6 = 1199999.9999999998): round to cents.
  const value = Math.round(n * scale * 100) / 100;
  return negative ? -value : value;
}

/** "57%" -> 57, "5.5 %" -> 5.5; a bare number is taken as already in percent. */
export function parsePercent(v: string | undefined): number | undefined | null {
  const s = clean(v);
  if (s === undefined) return undefined;
  return parseNumber(s.replace(/\s*%$/, ""));
}

/**
 * A date as YYYY-MM-DD (a real calendar date) or null. BatchLeads writes MM-DD-YYYY; spreadsheets and hand
 * edits give M/D/YYYY, M/D/YY (00-29 are 2000s, 30-99 1900s, as Excel reads them), YYYY-MM-DD, YYYY/MM/DD,
 * "Feb 8, 2026", "8-Feb-2026", "February 8 2026", and an Excel serial day number (45000) when a date column
 * was saved as numbers.
 */
export function parseDate(v: string | undefined): string | undefined | null {
  const s = clean(v);
  if (s === undefined) return undefined;
  let y: number;
  let m: number;
  let d: number;
  const us = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?:[ T].*)?$/.exec(s);
  const iso = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T].*)?$/.exec(s);
  const named = /^([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$/i.exec(s);
  const dayNamed = /^(\d{1,2})[-\s]([a-z]{3,9})\.?[-\s,]+(\d{4}|\d{2})$/i.exec(s);
  if (us) {
    m = Number(us[1]);
    d = Number(us[2]);
    y = fullYear(us[3]!);
  } else if (iso) {
    y = Number(iso[1]);
    m = Number(iso[2]);
    d = Number(iso[3]);
  } else if (named) {
    m = monthNumber(named[1]!);
    d = Number(named[2]);
    y = Number(named[3]);
  } else if (dayNamed) {
    d = Number(dayNamed[1]);
    m = monthNumber(dayNamed[2]!);
    y = fullYear(dayNamed[3]!);
  } else if (
    /^\d{5}(\.0+)?$/.test(s) &&
    Number.parseInt(s, 10) >= 10_000 &&
    Number.parseInt(s, 10) <= 80_000
  ) {
    // Excel's day count (1900 system; 25569 is 1970-01-01): 10000 is 1927, 80000 is 2119.
    const date = new Date((Number.parseInt(s, 10) - 25569) * 86_400_000);
    return date.toISOString().slice(0, 10);
  } else {
    return null;
  }
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

function fullYear(text: string): number {
  const n = Number(text);
  if (text.length === 4) return n;
  return n < 30 ? 2000 + n : 1900 + n;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** 1-12 for a month's name or its 3-letter (or "Sept") abbreviation; 0 (no date) otherwise. */
function monthNumber(name: string): number {
  const n = name.toLowerCase();
  const i = MONTHS.indexOf(n.slice(0, 3));
  if (i === -1) return 0;
  const full = new Date(Date.UTC(2000, i, 1)).toLocaleString("en-US", { month: "long", timeZone: "UTC" });
  return n.length === 3 || full.toLowerCase() === n || (i === 8 && n === "sept") ? i + 1 : 0;
}

/**
 * A US ZIP as 5 digits: "32819-1234", "328191234" and "32819.0" give "32819"; "2134" (a spreadsheet dropped
 * the leading zero) gives "02134". Null for anything else.
 */
export function zip5(v: string | undefined): string | undefined | null {
  const s = clean(v)?.replace(/\.0+$/, "");
  if (s === undefined) return undefined;
  const m = /^(\d{3,5})(?:[-\s]?(\d{4}))?$/.exec(s);
  if (!m) return null;
  if (m[2] !== undefined && m[1]!.length !== 5) return null;
  return m[1]!.padStart(5, "0");
}

const STATES: Record<string, string> = {
  alabama: "AL",
  alaska: "AK",
  arizona: "AZ",
  arkansas: "AR",
  california: "CA",
  colorado: "CO",
  connecticut: "CT",
  delaware: "DE",
  "district of columbia": "DC",
  florida: "FL",
  georgia: "GA",
  hawaii: "HI",
  idaho: "ID",
  illinois: "IL",
  indiana: "IN",
  iowa: "IA",
  kansas: "KS",
  kentucky: "KY",
  louisiana: "LA",
  maine: "ME",
  maryland: "MD",
  massachusetts: "MA",
  michigan: "MI",
  minnesota: "MN",
  mississippi: "MS",
  missouri: "MO",
  montana: "MT",
  nebraska: "NE",
  nevada: "NV",
  "new hampshire": "NH",
  "new jersey": "NJ",
  "new mexico": "NM",
  "new york": "NY",
  "north carolina": "NC",
  "north dakota": "ND",
  ohio: "OH",
  oklahoma: "OK",
  oregon: "OR",
  pennsylvania: "PA",
  "puerto rico": "PR",
  "rhode island": "RI",
  "south carolina": "SC",
  "south dakota": "SD",
  tennessee: "TN",
  texas: "TX",
  utah: "UT",
  vermont: "VT",
  virginia: "VA",
  washington: "WA",
  "west virginia": "WV",
  wisconsin: "WI",
  wyoming: "WY",
};

/** "fl", "Florida", "FL." -> "FL"; anything else as written (trimmed). */
export function stateCode(v: string | undefined): string | undefined {
  const s = clean(v)?.replace(/\.$/, "");
  if (s === undefined) return undefined;
  if (/^[a-z]{2}$/i.test(s)) return s.toUpperCase();
  return STATES[s.toLowerCase()] ?? s;
}
