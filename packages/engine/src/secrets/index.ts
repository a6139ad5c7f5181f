export { SecretDecryptError, SecretKeyError } from "./errors.ts";
export {
  deriveKey,
  generateSalt,
  generateSecret,
  KEY_BYTES,
  keyFromSecret,
  MIN_PASSPHRASE_LENGTH,
  parseSecret,
  type SecretSpec,
} from "./key.ts";
export { type UnlockOptions, unlockVault } from "./unlock.ts";
export { Vault } from "./vault.ts";
