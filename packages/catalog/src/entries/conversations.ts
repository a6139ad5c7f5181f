// Conversations & messages: the seed's 10 operations, plus Send SMS and Send Email done the way a
// person fills them in (a contact picked by name, a phone typed any way, "send at" as a date).
import { getOperation, HighLevelError, requestSchema } from "@hlconnect/client";
import { z } from "zod";
import { defineAction, operationAction, operationTrigger } from "../define.ts";
import { registerExampleFixture } from "../examples.ts";
import { dateTime, email, id, meta, phone, text } from "../fields.ts";
import { callOperation } from "../operation-input.ts";
import { snapshotTrigger, timeField, timeOrderedTrigger } from "../poll.ts";
import { fromSeed } from "../seed.ts";
import type { CatalogContext, CatalogEntry, OptionSource, PollingTrigger, TriggerEntry } from "../types.ts";
import { contactSource } from "./contacts.ts";
import { snapshotOf, userSource } from "./opportunities.ts";

const CATEGORY = "Conversations & Messages";
const sample = (op: string) => requestSchema(getOperation(op).key)?.responseSample ?? {};
/** The documented sample without the fields HighLevel leaves out when they do not apply. */
const sampleWithout = (op: string, ...optional: string[]) =>
  Object.fromEntries(Object.entries(sample(op) as Rec).filter(([k]) => !optional.includes(k)));

type Rec = Record<string, unknown>;

export const conversationSource: OptionSource = {
  entry: "highlevel.conversations.search",
  value: "id",
  label: "fullName",
};
const conversationId = () => id("Conversation", conversationSource, "The conversation's id.");
const contactId = () => id("Contact", contactSource, "Who receives it.");
const messageId = (label = "Message") => id(label, undefined, "The message's id (from Get Messages).");

/** The messages list, whether HighLevel answers it flat (as documented) or nested under `messages`. */
function messagesPage(r: unknown): { lastMessageId?: string; nextPage?: boolean; messages: Rec[] } {
  const o = (r ?? {}) as Rec;
  const box = o.messages && !Array.isArray(o.messages) ? (o.messages as Rec) : o;
  return {
    ...(typeof box.lastMessageId === "string" ? { lastMessageId: box.lastMessageId } : {}),
    nextPage: box.nextPage === true,
    messages: Array.isArray(box.messages) ? (box.messages as Rec[]) : [],
  };
}

async function listMessages(ctx: CatalogContext, conversationId: string, extra: Rec = {}) {
  return messagesPage(await ctx.client.call("get-messages", { conversationId, ...extra } as never));
}

// --- example fixtures: the most recent conversation, and messages of each kind ---------------
registerExampleFixture("conversation", async (ctx) => {
  const r = (await ctx.client.call("search-conversation", {
    locationId: ctx.locationId,
    limit: 1,
  } as never)) as { conversations?: Rec[] };
  const c = r.conversations?.[0];
  if (!c) throw new Error("the account has no conversation to use in an example");
  const m = (await listMessages(ctx, String(c.id), { limit: 1 })).messages[0];
  if (!m) throw new Error("the most recent conversation has no message to use in an example");
  return { ...c, messageId: m.id };
});

/** The newest message of a type in the location's recent conversations. */
async function findMessage(ctx: CatalogContext, type: string): Promise<Rec | undefined> {
  const r = (await ctx.client.call("search-conversation", {
    locationId: ctx.locationId,
    limit: 20,
  } as never)) as { conversations?: Rec[] };
  for (const c of r.conversations ?? []) {
    const m = (await listMessages(ctx, String(c.id), { type, limit: 1 })).messages[0];
    if (m) return m;
  }
  return undefined;
}
registerExampleFixture("emailMessage", async (ctx) => {
  const m = await findMessage(ctx, "TYPE_EMAIL");
  if (!m) throw new Error("no recent conversation has an email to use in an example");
  const meta = (m.meta ?? {}) as { email?: { messageIds?: string[]; email?: { messageIds?: string[] } } };
  const ids = meta.email?.messageIds ?? meta.email?.email?.messageIds ?? [];
  return { ...m, emailId: ids[0] ?? m.id };
});
registerExampleFixture("callMessage", async (ctx) => {
  const m = await findMessage(ctx, "TYPE_CALL");
  if (!m) throw new Error("no recent conversation has a call to use in an example");
  return m;
});
registerExampleFixture("customProviderMessage", async (ctx, get) => {
  // Only messages of a custom conversation provider take status updates.
  const contact = (await get("scratchContact")) as { id: string };
  return ctx.client.call("send-a-new-message", undefined, {
    type: "Custom",
    contactId: contact.id,
    message: "Example message from a custom provider",
  } as never);
});

// --- polling --------------------------------------------------------------------------------
/**
 * Paging state of one poll: the trigger asks for page 1, 2, ... and these APIs page by a cursor
 * taken from the previous page. A poll reuses one parsed input object for all its pages.
 */
const pageCursor = new WeakMap<object, unknown>();

const SEARCH_PAGE = 100;
const SEARCH_PAGING = new Set(["limit", "startAfterDate", "sort", "sortBy", "id"]);

/** Conversations by their last message, newest first: fires when a conversation gets a message. */
function conversationsByActivity(): PollingTrigger {
  return timeOrderedTrigger<Rec>(
    {
      async fetchPage(ctx, input, page) {
        const filters = Object.fromEntries(Object.entries(input).filter(([k]) => !SEARCH_PAGING.has(k)));
        const after = page === 0 ? undefined : pageCursor.get(input);
        const r = (await callOperation(ctx, "search-conversation", {
          ...filters,
          limit: SEARCH_PAGE,
          sort: "desc",
          sortBy: "last_message_date",
          ...(after !== undefined ? { startAfterDate: after } : {}),
        })) as { conversations?: Rec[] };
        const items = r.conversations ?? [];
        const last = items[items.length - 1];
        if (last) pageCursor.set(input, (last.sort as unknown[] | undefined)?.[0] ?? last.lastMessageDate);
        return { items, more: items.length === SEARCH_PAGE };
      },
      idOf: (c) => String((c as Rec).id),
      timeOf: (c) => timeField(c, "lastMessageDate", "dateUpdated"),
    },
    {
      dedupe: "id+updated",
      describe:
        "GET /conversations/search?sortBy=last_message_date&sort=desc, newest first, down to the cursor: conversations with a new last message",
    },
  );
}

/** A conversation's messages, newest first: fires for each new message. */
function newMessages(): PollingTrigger {
  return timeOrderedTrigger<Rec>(
    {
      async fetchPage(ctx, input, page) {
        const after = page === 0 ? undefined : pageCursor.get(input);
        const r = await listMessages(ctx, String(input.conversationId), {
          limit: 100,
          ...(typeof input.type === "string" ? { type: input.type } : {}),
          ...(typeof after === "string" ? { lastMessageId: after } : {}),
        });
        if (r.lastMessageId) pageCursor.set(input, r.lastMessageId);
        return { items: r.messages, more: r.nextPage === true && r.messages.length > 0 };
      },
      idOf: (m) => String((m as Rec).id),
      timeOf: (m) => timeField(m, "dateAdded"),
    },
    {
      dedupe: "id",
      describe:
        "GET /conversations/{conversationId}/messages, newest first, down to the cursor: new messages",
    },
  );
}

/** A call's file with the message it belongs to: the text under `field`, or a JSON answer's own fields. */
async function callFile(ctx: CatalogContext, op: string, input: Rec, field?: string): Promise<Rec> {
  const body = await callOperation(ctx, op, input);
  return field
    ? { messageId: input.messageId, [field]: body }
    : { messageId: input.messageId, ...(body as Rec) };
}

/** Fires once when something that takes time to appear (a recording, a transcription) is there. */
function whenAvailable(op: string, field?: string): PollingTrigger {
  return snapshotTrigger<Rec>(
    {
      async list(ctx, input) {
        try {
          return { items: [await callFile(ctx, op, input, field)], requests: 1 };
        } catch (err) {
          // HighLevel answers 400 (or 404) until the call has been processed.
          if (err instanceof HighLevelError && (err.status === 400 || err.status === 404))
            return { items: [], requests: 1 };
          throw err;
        }
      },
      keyOf: (i) => String((i as Rec).messageId),
    },
    {
      dedupe: "id",
      describe: `${getOperation(op).method} ${getOperation(op).path}: fires once, when it becomes available`,
    },
  );
}

/** A call-file read: the file under `field` (or the JSON answer's fields) next to its messageId. */
function callFileEntry(
  e: Parameters<typeof operationTrigger>[0] & { operation: string },
  field?: string,
): TriggerEntry {
  return {
    ...operationTrigger(e),
    read: (ctx, input) => callFile(ctx, e.operation, input as Rec, field),
  };
}

// --- sending --------------------------------------------------------------------------------
const DND_HELP =
  "HighLevel refuses to send to a contact with Do Not Disturb on (for all channels or this one): the action " +
  "then fails and nothing is sent. It is never retried automatically: a repeat would be a second message.";

const sendAt = () =>
  dateTime(
    "Send at",
    "epoch-ms",
    "Leave empty to send now. ISO 8601 with an offset (2026-11-30T09:00:00-08:00), MM/DD/YYYY h:mm am (read as UTC), or epoch milliseconds.",
  ).optional();

const urls = (label: string) =>
  meta(z.array(z.url()), { label, format: "url", help: "Public URLs of files to attach." }).optional();

/** A list of email addresses: a list, or one comma-separated text. */
const emailList = (label: string) =>
  meta(
    z.union([z.string(), z.array(z.string())]).transform((v, ctx) => {
      const list = (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim().toLowerCase()).filter(Boolean);
      for (const e of list) {
        if (!z.email().safeParse(e).success)
          ctx.addIssue({ code: "custom", message: `${label}: "${e}" is not a valid email address` });
      }
      return list;
    }),
    { label, format: "email", help: "A list, or one comma-separated text." },
  ).optional();

const SEND_OUTPUT_SAMPLE = sampleWithout("send-a-new-message", "emailMessageId", "messageIds", "forwardData");

/** Send through POST /conversations/messages, naming a DND refusal plainly. */
async function send(ctx: CatalogContext, channel: "SMS" | "Email", body: Rec): Promise<unknown> {
  try {
    return await ctx.client.call("send-a-new-message", undefined, { type: channel, ...body } as never);
  } catch (err) {
    if (
      err instanceof HighLevelError &&
      err.status !== undefined &&
      err.status < 500 &&
      /\bdnd\b|do not disturb/i.test([err.message, ...err.messages].join(" "))
    ) {
      throw new HighLevelError(
        `Not sent: the contact has Do Not Disturb on for ${channel === "SMS" ? "SMS" : "email"} (HighLevel: ${err.messages[0] ?? err.message})`,
        {
          code: err.code,
          ...(err.status !== undefined ? { status: err.status } : {}),
          messages: err.messages,
          ...(err.traceId ? { traceId: err.traceId } : {}),
          ...(err.operationId ? { operationId: err.operationId } : {}),
          cause: err,
        },
      );
    }
    throw err;
  }
}

/** HighLevel schedules by epoch seconds. */
const toSeconds = (ms: number | string | undefined) =>
  ms === undefined ? {} : { scheduledTimestamp: Math.floor(Number(ms) / 1000) };

export const conversationEntries: CatalogEntry[] = [
  // ---------------------------------------------------------------- triggers (reads)
  operationTrigger({
    key: "highlevel.conversations.search",
    ...fromSeed("Search Conversations"),
    help: "As a trigger it fires each time a matching conversation gets a new message (inbound or outbound).",
    operation: "search-conversation",
    fields: {
      override: {
        contactId: id("Contact", contactSource).optional(),
        assignedTo: id(
          "Assigned user",
          userSource,
          'User ids, comma-separated; "unassigned" for none.',
        ).optional(),
        query: text(
          "Search text",
          "Matches the contact's name, email, phone and the last message.",
        ).optional(),
        limit: meta(z.number().int().min(1).max(100), { label: "Page size" }).default(20),
        startAfterDate: dateTime(
          "Start after",
          "epoch-ms",
          "The last conversation's lastMessageDate (its sort value), for the next page.",
        ).optional(),
        startDate: dateTime("Added from", "epoch-ms").optional(),
        endDate: dateTime("Added until", "epoch-ms").optional(),
      },
    },
    output: {
      description: "{conversations, total}: the matching conversations, most recent message first.",
      sample: sample("search-conversation"),
    },
    example: { limit: 5 },
    trigger: conversationsByActivity(),
  }),
  operationTrigger({
    key: "highlevel.conversations.get",
    ...fromSeed("Get Conversation"),
    operation: "get-conversation",
    fields: { override: { conversationId: conversationId() } },
    output: {
      description: "The conversation: contact, unread count, assignment, starred, inbox.",
      sample: sampleWithout("get-conversation", "assignedTo"),
    },
    example: { conversationId: { $example: "conversation.id" } },
    trigger: snapshotOf("get-conversation", "", "id+updated", (c) => JSON.stringify(c)),
  }),
  operationTrigger({
    key: "highlevel.conversations.emails.get",
    ...fromSeed("Get Email by ID"),
    help: "The id is the email's own id, listed in its message's meta.email.messageIds (not the message id). As a trigger it fires when the email's status changes.",
    operation: "get-email-by-id",
    fields: { override: { id: id("Email", undefined, "The email message id.") } },
    output: {
      description: "The email: subject, body, from, to, cc, bcc, status, thread.",
      sample: sampleWithout("get-email-by-id", "altId", "replyToMessageId", "conversationProviderId"),
    },
    example: { id: { $example: "emailMessage.emailId" } },
    trigger: snapshotOf("get-email-by-id", "", "id+updated", (e) => e.status),
  }),
  operationTrigger({
    key: "highlevel.conversations.messages.get",
    ...fromSeed("Get Message by ID"),
    help: "As a trigger it fires when the message's status changes (e.g. delivered, read, failed).",
    operation: "get-message",
    fields: { override: { id: messageId() } },
    output: {
      description: "The message: type, direction, body, status, attachments, meta.",
      sample: sampleWithout("get-message", "meta", "userId", "conversationProviderId", "chatWidgetId"),
    },
    example: { id: { $example: "conversation.messageId" } },
    trigger: snapshotOf("get-message", "", "id+updated", (m) => m.status),
  }),
  operationTrigger({
    key: "highlevel.conversations.messages.list",
    ...fromSeed("Get Messages by Conversation"),
    help: "Newest first; the next page starts after lastMessageId. As a trigger it fires for each new message.",
    operation: "get-messages",
    fields: {
      override: {
        conversationId: conversationId(),
        limit: meta(z.number().int().min(1).max(100), { label: "Page size" }).default(20),
      },
    },
    output: {
      description: "{lastMessageId, nextPage, messages}: one page of messages, newest first.",
      sample: sample("get-messages"),
    },
    example: { conversationId: { $example: "conversation.id" }, limit: 10 },
    trigger: newMessages(),
  }),
  callFileEntry(
    {
      key: "highlevel.conversations.messages.recording",
      ...fromSeed("Get Message Recording"),
      help:
        "The call's audio (audio/x-wav), next to its messageId. As a trigger it fires once, when the recording is available. " +
        "Note: the client reads answers as text, so the audio bytes are not exact here; download the file from HighLevel to play it.",
      operation: "get-message-recording",
      fields: { override: { messageId: messageId("Call message") } },
      output: {
        description: "{messageId, recording}: the call message and its recording (audio/x-wav, as text).",
        sample: { messageId: "tDtDnQdgm2LXpyiqYvZ6", recording: "RIFF…WAVEfmt …" },
      },
      example: { messageId: { $example: "callMessage.id" } },
      trigger: whenAvailable("get-message-recording", "recording"),
    },
    "recording",
  ),
  callFileEntry({
    key: "highlevel.conversations.messages.transcription",
    ...fromSeed("Get Message Transcription"),
    help: "As a trigger it fires once, when the call's transcription is ready.",
    operation: "get-message-transcription",
    fields: { override: { messageId: messageId("Call message") } },
    output: {
      description: "{messageId, transcript, mediaChannel, sentenceIndex, startTime, endTime, confidence}.",
      sample: { messageId: "tDtDnQdgm2LXpyiqYvZ6", ...(sample("get-message-transcription") as Rec) },
    },
    example: { messageId: { $example: "callMessage.id" } },
    trigger: whenAvailable("get-message-transcription"),
  }),
  callFileEntry(
    {
      key: "highlevel.conversations.messages.transcription.download",
      ...fromSeed("Download Transcription"),
      help: "The transcription as plain text, one sentence a line. As a trigger it fires once, when it is ready.",
      operation: "download-message-transcription",
      fields: { override: { messageId: messageId("Call message") } },
      output: {
        description: "{messageId, transcript}: the call message and its transcript as plain text.",
        sample: {
          messageId: "tDtDnQdgm2LXpyiqYvZ6",
          transcript: "This call may be recorded for quality assurance purposes.\n",
        },
      },
      example: { messageId: { $example: "callMessage.id" } },
      trigger: whenAvailable("download-message-transcription", "transcript"),
    },
    "transcript",
  ),

  // ---------------------------------------------------------------- actions
  defineAction({
    key: "highlevel.conversations.send-sms",
    name: "Send SMS",
    description: "Text a contact from the location's number, now or at a set time",
    category: CATEGORY,
    help:
      `Goes to the contact's phone (or To number). ${DND_HELP} ` +
      "The output gives messageId (to look the message up or follow its status) and conversationId (the contact's conversation, created if needed).",
    operations: ["send-a-new-message"],
    idempotency: "unsafe",
    input: z.strictObject({
      contactId: contactId(),
      message: text("Message"),
      fromNumber: meta(phone("From number"), {
        label: "From number",
        format: "phone",
        help: "One of the location's numbers; its default number when empty. Any common format.",
      }).optional(),
      toNumber: meta(phone("To number"), {
        label: "To number",
        format: "phone",
        help: "Another of the contact's numbers; the contact's phone when empty. Any common format.",
      }).optional(),
      attachments: urls("Attachments (MMS)"),
      scheduledTimestamp: sendAt(),
    }),
    output: {
      description: "{messageId, conversationId, msg}: the message's id and the contact's conversation.",
      sample: SEND_OUTPUT_SAMPLE,
    },
    example: {
      contactId: { $example: "scratchContact.id" },
      message: "Hi! The open house at 12 Elm Street starts Saturday at 2pm.",
      fromNumber: "(415) 555-0100",
    },
    run: (ctx, input) => {
      const { scheduledTimestamp, attachments, ...rest } = input;
      return send(ctx, "SMS", {
        ...rest,
        ...(attachments?.length ? { attachments } : {}),
        ...toSeconds(scheduledTimestamp),
      });
    },
  }),
  defineAction({
    key: "highlevel.conversations.send-email",
    name: "Send Email",
    description: "Email a contact from the location, now or at a set time",
    category: CATEGORY,
    help:
      `Goes to the contact's email (or To). Give an HTML body, a plain-text one, or both. ${DND_HELP} ` +
      "The output gives messageId and emailMessageId (to look the email up) and conversationId (the contact's conversation).",
    operations: ["send-a-new-message"],
    idempotency: "unsafe",
    input: z
      .strictObject({
        contactId: contactId(),
        subject: text("Subject"),
        html: text("Body (HTML)").optional(),
        message: text("Body (plain text)").optional(),
        emailFrom: text(
          "From",
          'e.g. "Jane Realtor <jane@realty.example>"; the location\'s sender when empty.',
        ).optional(),
        emailTo: email("To").optional(),
        emailCc: emailList("Cc"),
        emailBcc: emailList("Bcc"),
        attachments: urls("Attachments"),
        threadId: id("Reply in thread", undefined, "The email thread (message id) to reply in.").optional(),
        scheduledTimestamp: sendAt(),
      })
      .refine((v) => v.html || v.message, { message: "give a body: html, message (plain text) or both" }),
    output: {
      description:
        "{messageId, emailMessageId, conversationId, msg}: the email's ids and the contact's conversation.",
      sample: { ...SEND_OUTPUT_SAMPLE, emailMessageId: (sample("send-a-new-message") as Rec).emailMessageId },
    },
    example: {
      contactId: { $example: "scratchContact.id" },
      subject: "Your home valuation",
      html: "<p>Hi! Here is the valuation we discussed.</p>",
    },
    run: (ctx, input) => {
      const { scheduledTimestamp, attachments, emailCc, emailBcc, ...rest } = input;
      return send(ctx, "Email", {
        ...rest,
        ...(emailCc?.length ? { emailCc } : {}),
        ...(emailBcc?.length ? { emailBcc } : {}),
        ...(attachments?.length ? { attachments } : {}),
        ...toSeconds(scheduledTimestamp),
      });
    },
  }),
  operationAction({
    key: "highlevel.conversations.messages.status.update",
    ...fromSeed("Update Message Status"),
    help: "For conversation provider apps: report what happened to a message the provider delivered (delivered, read, failed with an error, pending). HighLevel's own SMS and email messages refuse it.",
    operation: "update-message-status",
    idempotency: "safe",
    fields: {
      override: {
        messageId: messageId(),
        status: meta(z.enum(["delivered", "failed", "pending", "read"]), { label: "Status" }),
      },
    },
    output: {
      description: "{conversationId, messageId, status}: the message and its new status.",
      sample: sampleWithout("update-message-status", "emailMessageId", "messageIds", "forwardData", "msg"),
    },
    example: { messageId: { $example: "customProviderMessage.messageId" }, status: "delivered" },
  }),
  operationAction({
    key: "highlevel.conversations.typing",
    ...fromSeed("Agent Typing Indicator"),
    help: "Shows (or hides) the agent-is-typing dots in a live chat visitor's widget.",
    operation: "live-chat-agent-typing",
    idempotency: "safe",
    fields: {
      override: {
        conversationId: conversationId(),
        visitorId: id("Visitor", undefined, "The live chat visitor's id."),
        isTyping: meta(
          z.union([z.boolean(), z.enum(["true", "false"])]).transform((v) => String(v)),
          { label: "Typing" },
        ).default("true"),
      },
    },
    output: { description: "{success: true}.", sample: sample("live-chat-agent-typing") },
    example: {
      conversationId: { $example: "conversation.id" },
      visitorId: { $example: "conversation.contactId" },
      isTyping: true,
    },
  }),
];
