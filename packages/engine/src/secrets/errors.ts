// Errors of the secrets vault. Messages name what is wrong and never include secret material.

/** HLCONNECT_SECRET is missing, malformed, or is not the one the data was encrypted with. */
export class SecretKeyError extends Error {
  override readonly name = "SecretKeyError";
}

/** A sealed value could not be opened: wrong key, altered data, or not a sealed value at all. */
export class SecretDecryptError extends Error {
  override readonly name = "SecretDecryptError";
}
