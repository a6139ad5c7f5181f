// Who the lead's contact is (owner 1, or the entity that owns the property) and how to reach them by email.
import type { Lead } from "../lead.ts";
import { clean } from "./values.ts";

const ENTITY =
  /\b(llc|l\.l\.c|inc|incorporated|corp|corporation|co|company|ltd|lp|llp|pllc|trust|trustees?|estate|holdings|properties|investments?|partners|partnership|bank|church|association|assoc|group|ventures|realty|capital|fund)\b\.?/i;

/** Words kept upper case when an all-caps name is made readable. */
const ACRONYMS = new Set(["llc", "lp", "llp", "pllc", "usa", "ii", "iii", "iv", "na", "pc", "dba", "us"]);
/** Words kept lower case inside a name made readable. */
const SMALL = new Set(["of", "and", "the", "for", "de", "la"]);

/** "SUNRISE PROPERTIES LLC" -> "Sunrise Properties LLC"; names already in mixed case stay as written. */
export function readable(name: string): string {
  if (name !== name.toUpperCase() && name !== name.toLowerCase()) return name;
  return name.toLowerCase().replace(/[a-z0-9][a-z0-9'.]*/g, (w, offset: number) => {
    const bare = w.replace(/\.$/, "");
    if (ACRONYMS.has(bare)) return w.toUpperCase();
    if (offset > 0 && SMALL.has(bare)) return w;
    return w[0]!.toUpperCase() + w.slice(1);
  });
}

export function looksLikeEntity(name: string): boolean {
  return ENTITY.test(name);
}

function personName(first?: string, last?: string): string | undefined {
  const s = [first, last].filter(Boolean).join(" ");
  return s === "" ? undefined : s;
}

/**
 * Owner 1 as the contact. A blank first name means an entity (LLC, trust): it goes to `companyName` with a
 * readable display name. With no owner name at all, owner 2 names the contact, else the property does.
 */
export function readOwner(
  values: Record<string, string>,
  propertyLabel: string,
): { owner: Lead["owner"]; owner2?: Lead["owner2"] } {
  const first = clean(values["First Name"]);
  const last = clean(values["Last Name"]);
  const first2 = clean(values["Owner 2 First Name"]);
  const last2 = clean(values["Owner 2 Last Name"]);
  const owner2 =
    first2 || last2
      ? { ...(first2 ? { firstName: first2 } : {}), ...(last2 ? { lastName: last2 } : {}) }
      : undefined;
  const with2 = <T>(owner: T) => (owner2 ? { owner, owner2 } : { owner });

  if (first && last) return with2({ firstName: first, lastName: last, displayName: `${first} ${last}` });
  if (last) return with2({ companyName: last, displayName: readable(last) });
  if (first) {
    // An entity written in the first-name column.
    if (looksLikeEntity(first)) return with2({ companyName: first, displayName: readable(first) });
    return with2({ firstName: first, displayName: first });
  }
  const name2 = personName(first2, last2);
  return with2({ displayName: name2 ? readable(name2) : `Unknown owner of ${propertyLabel}` });
}

const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/;

/** The email columns ("Email", "Email 2", and any further "Email N" a file carries), in column order. */
function emailColumns(values: Record<string, string>): string[] {
  const cols = ["Email", "Email 2"];
  for (const k of Object.keys(values)) {
    // A cheap first-letter test: this runs over every column of every row.
    if ((k.charCodeAt(0) | 32) === 101 && /^email \d+$/i.test(k) && !cols.includes(k)) cols.push(k);
  }
  return cols;
}

/** Valid emails, lowercased, de-duplicated, in column order; invalid ones are reported in `problems`. */
export function readEmails(values: Record<string, string>, problems: string[]): string[] {
  const out: string[] = [];
  for (const col of emailColumns(values)) {
    const cell = clean(values[col]);
    if (cell === undefined) continue;
    // One cell sometimes holds two addresses ("a@x.com; b@y.com").
    // "jane @ example.com": spaces around the @ are typing, not a second address.
    for (const part of cell.replace(/\s*@\s*/g, "@").split(/[;,\s]+/)) {
      const email = part
        .replace(/^mailto:/i, "")
        .replace(/^<|>$/g, "")
        .toLowerCase();
      if (email === "") continue;
      if (!EMAIL.test(email)) {
        problems.push(`${col} "${part}" is not a valid email address: dropped`);
        continue;
      }
      if (!out.includes(email)) out.push(email);
    }
  }
  return out;
}
