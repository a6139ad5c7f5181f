// AES-256-GCM sealing of small secrets. Each value gets a fresh 96-bit IV, and a context string (e.g.
// "connection:ID:tokens") is bound in as associated data, so a sealed value copied to another row or
// field does not open there.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { SecretDecryptError, SecretKeyError } from "./errors.ts";
import { KEY_BYTES } from "./key.ts";

const ALGORITHM = "aes-256-gcm";
const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class Vault {
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== KEY_BYTES) {
      throw new SecretKeyError(`a vault key must be ${KEY_BYTES} bytes, got ${key.length}`);
    }
    this.#key = Buffer.from(key);
  }

  /** "v1.<iv>.<tag>.<ciphertext>", base64url parts. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, "utf8"));
    const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString("base64url"), tag.toString("base64url"), data.toString("base64url")].join(
      ".",
    );
  }

  open(sealed: string, context: string): string {
    const parts = sealed.split(".");
    const [iv, tag, data] = parts.slice(1).map((part) => Buffer.from(part, "base64url"));
    if (
      parts.length !== 4 ||
      parts[0] !== VERSION ||
      iv?.length !== IV_BYTES ||
      tag?.length !== TAG_BYTES ||
      !data
    ) {
      throw new SecretDecryptError(`${context}: not a sealed value (expected "${VERSION}.iv.tag.data")`);
    }
    const decipher = createDecipheriv(ALGORITHM, this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(data), decipher.final()]).toString("utf8");
    } catch {
      // GCM gives no detail on purpose; both causes are worth naming.
      throw new SecretDecryptError(
        `${context}: cannot decrypt (the key is not the one it was sealed with, or the data was altered)`,
      );
    }
  }
}
