// Deterministic BatchData answers: the same address (or APN) and seed always give the same
// persons, phones and flags, and a phone's DNC/TCPA flags depend only on the number, so the
// skip-trace and the DNC check never disagree about one.
import { createRng, type Rng } from "../random.ts";

export interface PropertyAddress {
  street: string;
  city?: string;
  state?: string;
  zip?: string;
}

export interface BatchDataPhone {
  /** Ten digits, as BatchData writes US numbers. */
  number: string;
  type: "Mobile" | "Land Line" | "VoIP";
  carrier: string;
  tested: boolean;
  reachable: boolean;
  dnc: boolean;
  tcpa: boolean;
}

export interface BatchDataPerson {
  name: { first: string; last: string; full: string };
  phones: BatchDataPhone[];
  emails: Array<{ email: string }>;
  litigator: boolean;
  deceased: boolean;
  mailingAddress: PropertyAddress;
}

/** 32-bit FNV-1a of the text, mixed with the seed: the stream one address draws from. */
export function hashOf(seed: number, text: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const fold = (s: string | undefined) =>
  (s ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9 ]/g, " ")
    .replace(/\s+/g, " ")
    .trim();

/** What identifies a property: the folded street + ZIP (else city/state), or APN + county + state. */
export function propertyKey(
  req: { propertyAddress?: PropertyAddress; apn?: string; county?: string; state?: string } | undefined,
): string | undefined {
  if (!req || typeof req !== "object") return undefined;
  if (req.apn && req.county && req.state) {
    return `apn:${fold(req.apn)}|${fold(req.county)}|${fold(req.state)}`;
  }
  const a = req.propertyAddress;
  if (!a || typeof a !== "object" || !fold(a.street)) return undefined;
  const zip = (a.zip ?? "").replace(/\D/g, "").slice(0, 5);
  if (zip.length === 5) return `addr:${fold(a.street)}|${zip}`;
  if (fold(a.city) && fold(a.state)) return `addr:${fold(a.street)}|${fold(a.city)}|${fold(a.state)}`;
  return undefined;
}

const FIRST = [
  "James",
  "Maria",
  "Robert",
  "Linda",
  "David",
  "Patricia",
  "Carlos",
  "Jennifer",
  "Wei",
  "Aisha",
];
const LAST = ["Johnson", "Garcia", "Nguyen", "Smith", "Brown", "Martinez", "Lee", "Walker", "Patel", "Davis"];
const CARRIERS = [
  "T-Mobile USA",
  "Verizon Wireless",
  "AT&T Mobility",
  "Comcast",
  "Bandwidth.com",
  "Frontier",
];
// Real area codes, so every generated number is a valid US number.
const AREA_CODES = [713, 281, 832, 214, 469, 972, 512, 210, 305, 786, 407, 813, 404, 678, 216, 312, 602, 303];
const CITIES: Array<[string, string, string]> = [
  ["Houston", "TX", "77002"],
  ["Orlando", "FL", "32801"],
  ["Cleveland", "OH", "44113"],
  ["Phoenix", "AZ", "85004"],
  ["Atlanta", "GA", "30303"],
];

const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;

/** A valid US number: a real area code, an exchange that is not N11 or 555. */
function phoneNumber(rng: Rng): string {
  const area = pick(rng, AREA_CODES);
  let exchange = 0;
  do exchange = 200 + Math.floor(rng() * 800);
  while (exchange % 100 === 11 || exchange === 555);
  const line = Math.floor(rng() * 10_000);
  return `${area}${exchange}${String(line).padStart(4, "0")}`;
}

/** Ten digits from what a person typed ("+1 (713) 555-1234", "17135551234"); undefined if not US-shaped. */
export function tenDigits(raw: unknown): string | undefined {
  if (typeof raw !== "string" && typeof raw !== "number") return undefined;
  let d = String(raw).replace(/\.0+$/, "").replace(/\D/g, "");
  if (d.length === 11 && d.startsWith("1")) d = d.slice(1);
  return /^[2-9]\d{2}[2-9]\d{6}$/.test(d) ? d : undefined;
}

/** A number's registry flags: about 1 in 5 on the DNC list, 1 in 12 a known TCPA litigator line. */
export function phoneFlags(seed: number, digits: string): { dnc: boolean; tcpa: boolean } {
  const h = hashOf(seed, `phone:${digits}`);
  return { dnc: h % 100 < 20, tcpa: (h >>> 8) % 12 === 0 };
}

/**
 * The persons BatchData "finds" for a property; empty when it has no match. About 1 address in 8
 * has none, and a street containing "no match" never matches (for tests that need a miss).
 */
export function personsFor(
  seed: number,
  key: string,
  name?: { first?: string; last?: string },
): BatchDataPerson[] {
  if (key.includes("no match")) return [];
  const rng = createRng(hashOf(seed, key));
  if (rng() < 0.125) return [];
  const roll = rng();
  const count = roll < 0.5 ? 1 : roll < 0.8 ? 2 : 3;
  const persons: BatchDataPerson[] = [];
  for (let i = 0; i < count; i++) {
    // Draw the names even when the request gives one, so a name never shifts the rest of the answer.
    const drawnFirst = pick(rng, FIRST);
    const drawnLast = pick(rng, LAST);
    const first = (i === 0 && name?.first) || drawnFirst;
    const last = (i === 0 && name?.last) || drawnLast;
    const phones: BatchDataPhone[] = [];
    const phoneCount = 1 + Math.floor(rng() * 4);
    for (let p = 0; p < phoneCount; p++) {
      const number = phoneNumber(rng);
      const t = rng();
      const tested = rng() < 0.8;
      phones.push({
        number,
        type: t < 0.55 ? "Mobile" : t < 0.85 ? "Land Line" : "VoIP",
        carrier: pick(rng, CARRIERS),
        tested,
        reachable: tested && rng() < 0.85,
        ...phoneFlags(seed, number),
      });
    }
    const emails: Array<{ email: string }> = [];
    const emailCount = Math.floor(rng() * 3);
    for (let e = 0; e < emailCount; e++) {
      const n = Math.floor(rng() * 90) + 10;
      const local = e === 0 ? `${first}.${last}${n}` : `${first[0]}${last}${n}`;
      emails.push({ email: `${local.toLowerCase().replace(/[^a-z0-9.]/g, "")}@example.com` });
    }
    const [city, state, zip] = pick(rng, CITIES);
    persons.push({
      name: { first, last, full: `${first} ${last}` },
      phones,
      emails,
      litigator: rng() < 0.06,
      deceased: rng() < 0.04,
      mailingAddress: { street: `${100 + Math.floor(rng() * 9800)} ${pick(rng, LAST)} St`, city, state, zip },
    });
  }
  return persons;
}
