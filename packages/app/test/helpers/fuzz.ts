// fast-check runs that can be replayed: every property of a test run uses one seed, HLCONNECT_FUZZ_SEED
// when it is set (to replay a failure) and a random one otherwise (so each run tries new inputs), and a
// failure says which seed it was and how to run it again.
import fc from "fast-check";

export const FUZZ_SEED_ENV = "HLCONNECT_FUZZ_SEED";

/** HLCONNECT_FUZZ_SEED as fast-check's 32-bit seed, or a fresh random one. */
export function fuzzSeed(value: string | undefined = process.env[FUZZ_SEED_ENV]): number {
  const text = value?.trim();
  if (!text) return Math.floor(Math.random() * 0x7fffffff);
  if (!/^-?\d+$/.test(text) || Math.abs(Number(text)) > 0x7fffffff) {
    throw new Error(
      `${FUZZ_SEED_ENV} must be a whole number such as 1234567 (as a failure prints it), got "${text}"`,
    );
  }
  return Number(text);
}

const SEED = fuzzSeed();

/**
 * Check `property` on `numRuns` inputs drawn from this run's seed; a counterexample is rethrown with a
 * line to replay it.
 */
export async function fuzz<Ts>(property: fc.IRawProperty<Ts>, numRuns: number, seed = SEED): Promise<void> {
  try {
    await fc.assert(property, { seed, numRuns });
  } catch (err) {
    const replay = `replay with ${FUZZ_SEED_ENV}=${seed} (fast-check seed ${seed})`;
    throw new Error(`${replay}\n${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
