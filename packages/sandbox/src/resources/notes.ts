// A contact's notes (not paginated, newest first).
import { type HandlerContext, type HandlerMap, isoNow, type State } from "../context.ts";
import { badRequest } from "../http/errors.ts";
import { loadContact } from "./contact-model.ts";

export interface NoteDoc {
  id: string;
  contactId: string;
  locationId: string;
  body: string;
  userId?: string;
  title?: string;
  color?: string;
  pinned?: boolean;
  dateAdded: string;
}

const EDITABLE = ["body", "userId", "title", "color", "pinned"] as const;

function view(n: NoteDoc) {
  const { locationId: _, ...rest } = n;
  return rest;
}

function emit(state: State, type: string, n: NoteDoc): void {
  state.webhooks.emit(type, n.locationId, {
    id: n.id,
    body: n.body,
    contactId: n.contactId,
    dateAdded: n.dateAdded,
  });
}

function loadNote(ctx: HandlerContext): NoteDoc {
  const contact = loadContact(ctx, ctx.params.contactId!);
  const n = ctx.state.records.get<NoteDoc>("note", ctx.params.id!);
  if (!n || n.contactId !== contact.id) throw badRequest("Note not found");
  return n;
}

function create(ctx: HandlerContext) {
  const contact = loadContact(ctx, ctx.params.contactId!);
  const b = ctx.body as Partial<NoteDoc>;
  const n: NoteDoc = {
    id: ctx.state.ids.id(),
    contactId: contact.id,
    locationId: contact.locationId,
    body: String(b.body),
    dateAdded: isoNow(ctx.state),
  };
  for (const k of EDITABLE) if (b[k] !== undefined) Object.assign(n, { [k]: b[k] });
  ctx.state.records.insert("note", n, {
    locationId: n.locationId,
    parentId: contact.id,
    sortMs: ctx.state.now(),
  });
  emit(ctx.state, "NoteCreate", n);
  return { status: 201, body: { note: view(n) } };
}

export const noteHandlers: HandlerMap = {
  "get-all-notes": (ctx) => {
    const contact = loadContact(ctx, ctx.params.contactId!);
    const notes = ctx.state.records.list<NoteDoc>("note", { parentId: contact.id }).reverse();
    return { body: { notes: notes.map(view) } };
  },
  "create-note": create,
  "get-note": (ctx) => ({ body: { note: view(loadNote(ctx)) } }),
  "update-note": (ctx) => {
    const n = loadNote(ctx);
    const b = ctx.body as Partial<NoteDoc>;
    for (const k of EDITABLE) if (b[k] !== undefined) Object.assign(n, { [k]: b[k] });
    ctx.state.records.update("note", n);
    emit(ctx.state, "NoteUpdate", n);
    return { body: { note: view(n) } };
  },
  "delete-note": (ctx) => {
    const n = loadNote(ctx);
    ctx.state.records.delete("note", n.id);
    emit(ctx.state, "NoteDelete", n);
    return { body: { succeded: true } };
  },
};
