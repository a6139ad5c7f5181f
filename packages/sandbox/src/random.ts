// Seeded randomness: fixture ids, tokens and fault decisions are reproducible for a seed.

export type Rng = () => number;

/** sfc32 seeded through splitmix32: small, fast, and good enough for fixtures. */
export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

const ALPHANUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX = "0123456789abcdef";

export class IdSource {
  private rng: Rng;
  constructor(seed: number) {
    this.rng = createRng(seed);
  }

  next(): number {
    return this.rng();
  }

  chars(n: number, alphabet = ALPHANUM): string {
    let out = "";
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.rng() * alphabet.length)];
    return out;
  }

  /** A HighLevel-style document id: 20 alphanumerics. */
  id(): string {
    return this.chars(20);
  }

  hex(n: number): string {
    return this.chars(n, HEX);
  }

  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.rng() * 256);
    return b;
  }
}

/** HighLevel ids are 20 alphanumerics; used to answer "not a valid id" like the live API. */
export function looksLikeId(s: string): boolean {
  return /^[A-Za-z0-9]{20}$/.test(s);
}
