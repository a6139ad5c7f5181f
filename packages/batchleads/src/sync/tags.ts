// Tags go through the bulk endpoint, grouped across contacts. Leads queue the tags they still need
// (in the state, so a kill loses none); a flush repeatedly takes the tag most contacts wait for,
// up to 100 of those contacts (same pending set side by side), and sends with it every other tag
// all of them wait for. Uniform sets cost one call per 100 contacts; mixed ones about one per tag
// per 100 contacts. Adding is a union on HighLevel's side: the contacts' other tags stay.
import { UnknownOutcomeError } from "@hlconnect/client";
import type { ImportApi } from "./api.ts";
import type { SyncState } from "./state.ts";

/** The spec gives no limit for POST /contacts/bulk/tags/update/{type}; 100 is HighLevel's usual page. */
export const BULK_TAG_LIMIT = 100;
/** Contacts kept waiting before full calls are sent mid-import: more waiting, better grouping. */
export const TAG_BUFFER = 1000;

export interface TagFlushStats {
  calls: number;
  pairs: number;
  /** Contacts the endpoint refused (deleted in HighLevel...): forgotten, so the next import recreates them. */
  refused: Array<{ contactId: string; message: string }>;
}

export class TagBatcher {
  constructor(
    private readonly state: SyncState,
    /** Undefined in a dry run: calls are counted, not made. */
    private readonly api: ImportApi | undefined,
    private readonly locationId: string,
    private readonly onCall: (contacts: number, tags: number) => void = () => {},
  ) {}

  /** Mid-import: send full calls while many contacts wait. */
  async maybeFlush(): Promise<void> {
    if (this.state.queuedContacts(this.locationId) >= TAG_BUFFER) await this.flush(false);
  }

  /** Send the queue: everything (`all`), or only calls that would carry a full 100 contacts. */
  async flush(all = true): Promise<TagFlushStats> {
    const stats: TagFlushStats = { calls: 0, pairs: 0, refused: [] };
    for (;;) {
      const top = this.state.topQueuedTag(this.locationId);
      if (!top || (!all && top.contacts < BULK_TAG_LIMIT)) return stats;
      const contacts = this.state.contactsQueuedFor(this.locationId, top.tag, BULK_TAG_LIMIT);
      const tags = this.state.tagsQueuedForAll(this.locationId, contacts);
      if (this.api) {
        const result = await this.send(contacts, tags);
        for (const r of result.failed) {
          this.state.forgetContact(this.locationId, r.contactId);
          stats.refused.push(r);
        }
      }
      this.state.dequeueTags(this.locationId, contacts, tags);
      stats.calls++;
      stats.pairs += contacts.length * tags.length;
      this.onCall(contacts.length, tags.length);
    }
  }

  private async send(contacts: string[], tags: string[]) {
    const api = this.api!;
    try {
      return await api.addTags(contacts, tags);
    } catch (err) {
      // The client does not repeat a POST whose answer was lost; adding tags twice is harmless.
      if (err instanceof UnknownOutcomeError) return api.addTags(contacts, tags);
      throw err;
    }
  }
}
