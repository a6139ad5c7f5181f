// Time-ordered ids: prefix + 10 characters of milliseconds + 16 random characters (Crockford base32, like
// ULID), so ids sort in creation order and paging by id is paging by time. Within one process ids are
// strictly increasing even within a millisecond or when the clock steps back.
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RANDOM_BITS = 80n;

let lastMs = -1;
let lastRandom = 0n;

function encode(value: bigint, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

/** e.g. newId("run") -> "run_01JD3K5V8Q9ZP6T0M2W4XYABCD" */
export function newId(prefix: string, now: number = Date.now()): string {
  let ms = Math.max(0, Math.floor(now));
  if (ms <= lastMs) {
    ms = lastMs;
    lastRandom = (lastRandom + 1n) & ((1n << RANDOM_BITS) - 1n);
  } else {
    lastMs = ms;
    // Top bit clear: leaves room to increment without wrapping within one millisecond.
    lastRandom = BigInt(`0x${randomBytes(10).toString("hex")}`) >> 1n;
  }
  return `${prefix}_${encode(BigInt(ms), 10)}${encode(lastRandom, 16)}`;
}
