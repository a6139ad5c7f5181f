// Counts in words, one helper for every page: "1 entry", "3 entries", "1 run needs attention",
// "2 runs need attention". The regular English plurals the pages use; irregular ones are listed.

const IRREGULAR: Record<string, string> = {
  entry: "entries",
  needs: "need",
  is: "are",
  was: "were",
  has: "have",
};

/** The plural of a noun (or of a verb's third person: "needs" → "need"). */
export function plural(word: string): string {
  const irregular = IRREGULAR[word];
  if (irregular) return irregular;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

/** The word for n of them: `noun(1, "entry")` is "entry", `noun(0, "entry")` is "entries". */
export function noun(n: number, word: string, many?: string): string {
  return n === 1 ? word : (many ?? plural(word));
}

/** "1 entry", "197 entries", "0 problems"; `many` for a plural the rules above get wrong. */
export function count(n: number, word: string, many?: string): string {
  return `${n.toLocaleString("en-US")} ${noun(n, word, many)}`;
}
