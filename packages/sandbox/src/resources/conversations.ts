// Conversations and messages. Search pages with the `startAfterDate` cursor (the last
// conversation's lastMessageDate, also given as its `sort` value); a conversation's messages
// page with `lastMessageId` + `nextPage`.
import { type HandlerContext, type HandlerMap, isoNow, type State } from "../context.ts";
import { badRequest, unprocessable } from "../http/errors.ts";
import { type ContactDoc, fullName, loadContact } from "./contact-model.ts";

export interface ConversationDoc {
  id: string;
  locationId: string;
  contactId: string;
  assignedTo?: string;
  lastMessageBody: string;
  lastMessageType: string;
  lastMessageDirection?: string;
  /** Epoch ms: the search sort value and cursor. */
  lastMessageDate: number;
  unreadCount: number;
  starred: boolean;
  deleted: boolean;
  dateAdded: number;
  dateUpdated: number;
}

export interface MessageDoc {
  id: string;
  type: number;
  messageType: string;
  locationId: string;
  contactId: string;
  conversationId: string;
  dateAdded: string;
  body: string;
  direction: "inbound" | "outbound";
  status: string;
  contentType: string;
  attachments: string[];
  source: string;
  subject?: string;
  /** MessageMeta: call duration/status, or the email message ids of an email. */
  meta?: Record<string, unknown>;
  userId?: string;
  conversationProviderId?: string;
  /** Set by a custom provider's failed status update. */
  error?: { code: string; type: string; message: string };
}

/** Channel of a send request → [numeric type, messageType] as messages report them. */
const CHANNELS: Record<string, [number, string]> = {
  SMS: [2, "TYPE_SMS"],
  RCS: [2, "TYPE_RCS"],
  Email: [3, "TYPE_EMAIL"],
  WhatsApp: [19, "TYPE_WHATSAPP"],
  IG: [18, "TYPE_INSTAGRAM"],
  FB: [11, "TYPE_FACEBOOK"],
  Custom: [20, "TYPE_CUSTOM_SMS"],
  Live_Chat: [29, "TYPE_LIVE_CHAT"],
  TIKTOK: [37, "TYPE_TIKTOK"],
};

export function channelOf(type: string): [number, string] {
  return CHANNELS[type] ?? [2, "TYPE_SMS"];
}

function searchView(state: State, c: ConversationDoc) {
  const contact = state.records.get<ContactDoc>("contact", c.contactId);
  const name = contact ? (fullName(contact) ?? "") : "";
  return {
    id: c.id,
    contactId: c.contactId,
    locationId: c.locationId,
    lastMessageBody: c.lastMessageBody,
    lastMessageType: c.lastMessageType,
    ...(c.lastMessageDirection && { lastMessageDirection: c.lastMessageDirection }),
    type: "TYPE_PHONE",
    unreadCount: c.unreadCount,
    fullName: name,
    contactName: name,
    email: contact?.email ?? "",
    phone: contact?.phone ?? "",
    ...(c.assignedTo && { assignedTo: c.assignedTo }),
    starred: c.starred,
    inbox: true,
    lastMessageDate: c.lastMessageDate,
    dateAdded: c.dateAdded,
    dateUpdated: c.dateUpdated,
    sort: [c.lastMessageDate],
  };
}

function loadConversation(ctx: HandlerContext, id: string): ConversationDoc {
  const c = ctx.state.records.get<ConversationDoc>("conversation", id);
  if (!c) throw badRequest("Conversation not found");
  ctx.ensureLocation(c.locationId);
  return c;
}

function conversationOfContact(state: State, contact: ContactDoc): ConversationDoc | undefined {
  return state.records
    .list<ConversationDoc>("conversation", { locationId: contact.locationId })
    .find((c) => c.contactId === contact.id);
}

export function newConversation(state: State, contact: ContactDoc, at: number): ConversationDoc {
  const c: ConversationDoc = {
    id: state.ids.id(),
    locationId: contact.locationId,
    contactId: contact.id,
    lastMessageBody: "",
    lastMessageType: "TYPE_SMS",
    lastMessageDate: at,
    unreadCount: 0,
    starred: false,
    deleted: false,
    dateAdded: at,
    dateUpdated: at,
  };
  return state.records.insert("conversation", c, { locationId: c.locationId, sortMs: at });
}

/** Store a message and make it the conversation's last message. */
export function addMessage(
  state: State,
  conv: ConversationDoc,
  m: Omit<MessageDoc, "id" | "locationId" | "contactId" | "conversationId">,
): MessageDoc {
  const msg: MessageDoc = {
    id: state.ids.id(),
    locationId: conv.locationId,
    contactId: conv.contactId,
    conversationId: conv.id,
    ...m,
  };
  const at = Date.parse(msg.dateAdded);
  state.records.insert("message", msg, { locationId: conv.locationId, parentId: conv.id, sortMs: at });
  conv.lastMessageBody = msg.body;
  conv.lastMessageType = msg.messageType;
  conv.lastMessageDirection = msg.direction;
  conv.lastMessageDate = at;
  conv.dateUpdated = at;
  if (msg.direction === "inbound") conv.unreadCount++;
  state.records.update("conversation", conv, at);
  return msg;
}

function search(ctx: HandlerContext) {
  const q = ctx.query;
  const limit = q.limit === undefined ? 20 : Number(q.limit);
  if (limit < 1 || limit > 100) throw unprocessable(["limit must be between 1 and 100"]);
  const asc = q.sort === "asc";
  const text = typeof q.query === "string" ? q.query.trim().toLowerCase() : "";
  const status = typeof q.status === "string" ? q.status : "all";
  const all = ctx.state.records
    .list<ConversationDoc>("conversation", { locationId: String(q.locationId) })
    .filter((c) => !c.deleted)
    .filter((c) => !q.contactId || c.contactId === q.contactId)
    .filter((c) => !q.id || c.id === q.id)
    .filter(
      (c) =>
        !q.assignedTo ||
        String(q.assignedTo)
          .split(",")
          .includes(c.assignedTo ?? ""),
    )
    .filter((c) => (status === "unread" ? c.unreadCount > 0 : status === "read" ? c.unreadCount === 0 : true))
    .filter((c) => status !== "starred" || c.starred)
    .map((c) => searchView(ctx.state, c))
    .filter(
      (v) =>
        !text ||
        [v.fullName, v.email, v.phone, v.lastMessageBody].some((s) => s.toLowerCase().includes(text)),
    )
    .sort((a, b) => (asc ? a.lastMessageDate - b.lastMessageDate : b.lastMessageDate - a.lastMessageDate));
  // A pure date cursor, as HighLevel's: conversations sharing the boundary date are not told apart.
  const after = q.startAfterDate === undefined || q.startAfterDate === "" ? null : Number(q.startAfterDate);
  const rest =
    after === null || Number.isNaN(after)
      ? all
      : all.filter((v) => (asc ? v.lastMessageDate > after : v.lastMessageDate < after));
  return { body: { conversations: rest.slice(0, limit), total: all.length } };
}

function messageView(m: MessageDoc) {
  return { ...m };
}

/** Newest first; `lastMessageId` is the last message of the previous page. */
function messages(ctx: HandlerContext) {
  const conv = loadConversation(ctx, ctx.params.conversationId!);
  const q = ctx.query;
  const limit = q.limit === undefined ? 20 : Number(q.limit);
  if (limit < 1 || limit > 100) throw unprocessable(["limit must be between 1 and 100"]);
  const types = typeof q.type === "string" && q.type ? q.type.split(",") : null;
  const all = ctx.state.records
    .list<MessageDoc>("message", { parentId: conv.id })
    .reverse()
    .filter((m) => !types || types.includes(m.messageType));
  let start = 0;
  if (typeof q.lastMessageId === "string" && q.lastMessageId) {
    const i = all.findIndex((m) => m.id === q.lastMessageId);
    if (i < 0) throw badRequest("Invalid lastMessageId");
    start = i + 1;
  }
  const page = all.slice(start, start + limit);
  return {
    body: {
      lastMessageId: page[page.length - 1]?.id ?? "",
      nextPage: start + page.length < all.length,
      messages: page.map(messageView),
    },
  };
}

function send(ctx: HandlerContext) {
  const b = ctx.body as Record<string, unknown>;
  const contact = loadContact(ctx, String(b.contactId));
  const now = ctx.state.now();
  const conv = conversationOfContact(ctx.state, contact) ?? newConversation(ctx.state, contact, now);
  const [type, messageType] = channelOf(String(b.type));
  const msg = addMessage(ctx.state, conv, {
    type,
    messageType,
    dateAdded: isoNow(ctx.state),
    body: String(b.message ?? b.html ?? ""),
    direction: "outbound",
    status: "delivered",
    contentType: b.html ? "text/html" : "text/plain",
    attachments: Array.isArray(b.attachments) ? (b.attachments as string[]) : [],
    source: "api",
    ...(typeof b.subject === "string" && { subject: b.subject }),
  });
  return {
    body: {
      conversationId: conv.id,
      messageId: msg.id,
      ...(messageType === "TYPE_EMAIL" && { emailMessageId: msg.id }),
      msg: "Message queued successfully.",
      status: "delivered",
    },
  };
}

function create(ctx: HandlerContext) {
  const b = ctx.body as { locationId: string; contactId: string };
  const contact = ctx.state.records.get<ContactDoc>("contact", b.contactId);
  if (!contact || contact.locationId !== b.locationId) throw badRequest("Contact not found");
  const existing = conversationOfContact(ctx.state, contact);
  if (existing) throw badRequest("Conversation already exists", { conversationId: existing.id });
  const c = newConversation(ctx.state, contact, ctx.state.now());
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    status: 201,
    body: {
      success: true,
      conversation: {
        id: c.id,
        dateUpdated: iso(c.dateUpdated),
        dateAdded: iso(c.dateAdded),
        deleted: false,
        contactId: c.contactId,
        locationId: c.locationId,
        lastMessageDate: iso(c.lastMessageDate),
      },
    },
  };
}

export const conversationHandlers: HandlerMap = {
  "search-conversation": search,
  "create-conversation": create,
  "get-conversation": (ctx) => {
    const c = loadConversation(ctx, ctx.params.conversationId!);
    return {
      body: {
        id: c.id,
        contactId: c.contactId,
        locationId: c.locationId,
        deleted: c.deleted,
        inbox: true,
        type: 1,
        unreadCount: c.unreadCount,
        starred: c.starred,
        ...(c.assignedTo && { assignedTo: c.assignedTo }),
      },
    };
  },
  "get-messages": messages,
  "get-message": (ctx) => {
    const m = ctx.state.records.get<MessageDoc>("message", ctx.params.id!);
    if (!m) throw badRequest("Message not found");
    ctx.ensureLocation(m.locationId);
    return { body: messageView(m) };
  },
  "send-a-new-message": send,
};
