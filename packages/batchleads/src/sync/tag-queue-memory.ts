// A dry run's tag queue, in memory. A real import keeps its queue in the state file (a kill loses none);
// a dry run only counts the calls the queue would make, and its SQL queue cost a sixth of a dry run's time
// (every lead inserts its tags, every page looks up and deletes them). The queue stays short: full calls
// leave it every page, so what waits is under 100 contacts per tag. Answers are the SQL queue's, in the
// same order (SQLite compares text as UTF-8 bytes: `binaryCompare`), so the counts do not change.

/** A (contact, tag) pair waits once; the first queued set of the contact groups it (INSERT OR IGNORE). */
export class MemoryTagQueue {
  /** location -> tag -> contact -> the set key it was queued with. */
  private readonly byTag = new Map<string, Map<string, Map<string, string>>>();
  /** location -> contact -> its waiting tags. */
  private readonly byContact = new Map<string, Map<string, Set<string>>>();

  enqueue(locationId: string, contactId: string, tags: readonly string[], setKey: string): void {
    const byTag = getOrAdd(this.byTag, locationId, () => new Map<string, Map<string, string>>());
    const waiting = getOrAdd(
      getOrAdd(this.byContact, locationId, () => new Map<string, Set<string>>()),
      contactId,
      () => new Set<string>(),
    );
    for (const tag of tags) {
      if (waiting.has(tag)) continue;
      waiting.add(tag);
      getOrAdd(byTag, tag, () => new Map<string, string>()).set(contactId, setKey);
    }
  }

  queuedContacts(locationId: string): number {
    return this.byContact.get(locationId)?.size ?? 0;
  }

  /** The tag most contacts wait for (ties: the smallest tag), and how many. */
  topQueuedTag(locationId: string): { tag: string; contacts: number } | undefined {
    let best: { tag: string; contacts: number } | undefined;
    for (const [tag, contacts] of this.byTag.get(locationId) ?? []) {
      const n = contacts.size;
      if (!best || n > best.contacts || (n === best.contacts && binaryCompare(tag, best.tag) < 0)) {
        best = { tag, contacts: n };
      }
    }
    return best;
  }

  /** Up to `limit` contacts waiting for `tag`, ordered by their set key, then id. */
  contactsQueuedFor(locationId: string, tag: string, limit: number): string[] {
    const waiting = this.byTag.get(locationId)?.get(tag);
    if (!waiting) return [];
    return [...waiting]
      .sort(([a, sa], [b, sb]) => binaryCompare(sa, sb) || binaryCompare(a, b))
      .slice(0, limit)
      .map(([contactId]) => contactId);
  }

  /** The tags every one of `contactIds` waits for, sorted. */
  tagsQueuedForAll(locationId: string, contactIds: readonly string[]): string[] {
    const byContact = this.byContact.get(locationId);
    const ids = [...new Set(contactIds)];
    if (!byContact || !ids.length) return [];
    const first = byContact.get(ids[0]!);
    if (!first) return [];
    const common = [...first].filter((tag) => ids.every((id) => byContact.get(id)?.has(tag)));
    return common.sort(binaryCompare);
  }

  dequeue(locationId: string, contactIds: readonly string[], tags: readonly string[]): void {
    const byTag = this.byTag.get(locationId);
    const byContact = this.byContact.get(locationId);
    if (!byTag || !byContact) return;
    for (const contactId of contactIds) {
      const waiting = byContact.get(contactId);
      for (const tag of tags) {
        waiting?.delete(tag);
        const contacts = byTag.get(tag);
        contacts?.delete(contactId);
        if (contacts?.size === 0) byTag.delete(tag);
      }
      if (waiting?.size === 0) byContact.delete(contactId);
    }
  }
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/**
 * Text order as SQLite's BINARY collation has it (UTF-8 bytes, i.e. code points). JavaScript compares
 * UTF-16 units, which differs only between a surrogate pair (a code point past U+FFFF) and U+E000-U+FFFF.
 */
export function binaryCompare(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
