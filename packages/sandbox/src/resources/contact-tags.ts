// Adding and removing tags, per contact and in bulk. Unlike create/update/upsert (which
// replace tags), these endpoints add to or remove from the contact's current tags.
import type { HandlerContext, HandlerMap, State } from "../context.ts";
import { looksLikeId } from "../random.ts";
import { type ContactDoc, loadContact, normalizeTags, saveContact } from "./contact-model.ts";
import { emitContact } from "./contacts.ts";

function retag(state: State, c: ContactDoc, tags: string[]): ContactDoc {
  const changed = JSON.stringify(c.tags) !== JSON.stringify(tags);
  if (!changed) return c;
  c.tags = tags;
  saveContact(state, c);
  emitContact(state, "ContactTagUpdate", c);
  return c;
}

function addTags(ctx: HandlerContext) {
  const c = loadContact(ctx, ctx.params.contactId!);
  const added = normalizeTags((ctx.body as { tags: string[] }).tags);
  const tags = [...c.tags, ...added.filter((t) => !c.tags.includes(t))];
  return { status: 201, body: { tags: retag(ctx.state, c, tags).tags } };
}

function removeTags(ctx: HandlerContext) {
  const c = loadContact(ctx, ctx.params.contactId!);
  const removed = normalizeTags((ctx.body as { tags: string[] }).tags);
  return {
    body: {
      tags: retag(
        ctx.state,
        c,
        c.tags.filter((t) => !removed.includes(t)),
      ).tags,
    },
  };
}

interface BulkBody {
  contacts: string[];
  tags: string[];
  locationId: string;
  removeAllTags?: boolean;
}

/** POST /contacts/bulk/tags/update/{add|remove}: one result per contact id, errors included. */
function bulk(ctx: HandlerContext) {
  const body = ctx.body as BulkBody;
  const adding = ctx.params.type === "add";
  const tags = normalizeTags(body.tags);
  const responses = body.contacts.map((contactId) => {
    const error = (message: string) => ({ contactId, message, type: "error" });
    if (!looksLikeId(contactId)) return error("contact id is not a valid firebase id");
    const c = ctx.state.records.get<ContactDoc>("contact", contactId);
    if (!c) return error("contact not found");
    if (c.locationId !== body.locationId) return error("contact does not belong to location");
    const oldTags = [...c.tags];
    const next = adding
      ? [...c.tags, ...tags.filter((t) => !c.tags.includes(t))]
      : body.removeAllTags
        ? []
        : c.tags.filter((t) => !tags.includes(t));
    retag(ctx.state, c, next);
    return {
      contactId,
      message: "Tags updated",
      type: "success",
      oldTags,
      tagsAdded: next.filter((t) => !oldTags.includes(t)),
      tagsRemoved: oldTags.filter((t) => !next.includes(t)),
    };
  });
  const errorCount = responses.filter((r) => r.type === "error").length;
  return { status: 201, body: { succeded: true, errorCount, responses } };
}

export const contactTagHandlers: HandlerMap = {
  "add-tags": addTags,
  "remove-tags": removeTags,
  "contacts:create-association": bulk,
};
