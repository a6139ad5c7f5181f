// "Did you mean" hints for misspelt names, shared by the template and condition parsers.
import { closest } from "@hlconnect/client";

/** ` (did you mean "x"?)` with the closest candidate, or "" when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const [near] = closest(word, [...candidates], 1);
  return near === undefined ? "" : ` (did you mean "${near}"?)`;
}
