// The primary-phone rule, shared by the BatchLeads import and the skip-trace actions: the
// lowest-ranked phone that may be called, a mobile one preferred among those. A blocked (DNC) number
// is never chosen.

/** "Mobile", "Wireless" and "Cell" phones take texts. */
export function isMobileType(type: string | undefined): boolean {
  return /mobile|wireless|cell/i.test(type ?? "");
}

export function choosePrimaryPhone<P extends { number: string; type?: string; rank: number }>(
  phones: readonly P[],
  blocked: (p: P) => boolean,
): string | undefined {
  let first: P | undefined;
  let mobile: P | undefined;
  for (const p of phones) {
    if (blocked(p)) continue;
    if (!first || p.rank < first.rank) first = p;
    if (isMobileType(p.type) && (!mobile || p.rank < mobile.rank)) mobile = p;
  }
  return (mobile ?? first)?.number;
}
