// The rest of conversations: email messages by id, call recordings and their transcriptions,
// message status updates from custom conversation providers, and the live chat typing signal.
import { getLocation, type HandlerContext, type HandlerMap, type State } from "../context.ts";
import { badRequest, unprocessable } from "../http/errors.ts";
import type { ContactDoc } from "./contact-model.ts";
import { addMessage, type ConversationDoc, type MessageDoc, newConversation } from "./conversations.ts";

/** The email behind a TYPE_EMAIL message (its id is listed in the message's meta.email.messageIds). */
export interface EmailDoc {
  id: string;
  messageId: string;
  locationId: string;
  contactId: string;
  conversationId: string;
  threadId: string;
  dateAdded: string;
  subject: string;
  body: string;
  direction: "inbound" | "outbound";
  status: string;
  contentType: string;
  attachments: string[];
  provider: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  source: string;
}

/** A call's recording; the audio itself is synthesized (a short tone), its length is not the call's. */
export interface RecordingDoc {
  /** The call message's id. */
  id: string;
  locationId: string;
}

export interface TranscriptSentence {
  mediaChannel: number;
  sentenceIndex: number;
  startTime: number;
  endTime: number;
  transcript: string;
  confidence: number;
}

export interface TranscriptionDoc {
  /** The call message's id. */
  id: string;
  locationId: string;
  sentences: TranscriptSentence[];
}

/** Message types whose status a custom conversation provider reports. */
const CUSTOM_PROVIDER_TYPES = new Set([
  "TYPE_CUSTOM_SMS",
  "TYPE_CUSTOM_EMAIL",
  "TYPE_CUSTOM_PROVIDER_SMS",
  "TYPE_CUSTOM_PROVIDER_EMAIL",
  "TYPE_CUSTOM_CALL",
]);

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A message of the path's location: 403 for another location's token, 400 otherwise. */
function loadMessage(ctx: HandlerContext, id: string, locationId?: string): MessageDoc {
  const m = ctx.state.records.get<MessageDoc>("message", id);
  if (!m) throw badRequest("Message not found");
  ctx.ensureLocation(m.locationId);
  if (locationId !== undefined && m.locationId !== locationId) throw badRequest("Message not found");
  return m;
}

function emailView(e: EmailDoc) {
  const { messageId: _, ...rest } = e;
  return rest;
}

/** A TYPE_EMAIL message sent through the API has no stored email: its id doubles as the email's. */
function emailOfMessage(state: State, m: MessageDoc): EmailDoc {
  const location = getLocation(state, m.locationId);
  const contact = state.records.get<ContactDoc>("contact", m.contactId);
  const sender = location ? `${location.name} <${String(location.email ?? "")}>` : "";
  const recipient = contact?.email ? [contact.email] : [];
  return {
    id: m.id,
    messageId: m.id,
    locationId: m.locationId,
    contactId: m.contactId,
    conversationId: m.conversationId,
    threadId: m.id,
    dateAdded: m.dateAdded,
    subject: m.subject ?? "",
    body: m.body,
    direction: m.direction,
    status: m.status,
    contentType: m.contentType,
    attachments: m.attachments,
    provider: "mailgun",
    from: m.direction === "outbound" ? sender : (contact?.email ?? ""),
    to: m.direction === "outbound" ? recipient : location?.email ? [String(location.email)] : [],
    cc: [],
    bcc: [],
    source: m.source,
  };
}

function findEmail(ctx: HandlerContext, id: string): EmailDoc {
  const stored = ctx.state.records.get<EmailDoc>("email-message", id);
  if (stored) {
    ctx.ensureLocation(stored.locationId);
    return stored;
  }
  const m = ctx.state.records.get<MessageDoc>("message", id);
  if (m?.messageType !== "TYPE_EMAIL") throw badRequest("Email message not found");
  ctx.ensureLocation(m.locationId);
  return emailOfMessage(ctx.state, m);
}

/** A one-second 440 Hz tone, 8 kHz 16-bit mono PCM: a valid WAV file, the same bytes every time. */
export function recordingWav(): Buffer {
  const rate = 8000;
  const samples = rate;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write("data", 36, "ascii");
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

function loadTranscription(ctx: HandlerContext): TranscriptionDoc {
  const m = loadMessage(ctx, ctx.params.messageId!, ctx.params.locationId!);
  const t = ctx.state.records.get<TranscriptionDoc>("call-transcription", m.id);
  if (!t || t.sentences.length === 0) throw badRequest("Transcription not found");
  return t;
}

/**
 * The document declares one sentence object (not a list), so the sentences are folded into
 * one: the first channel and index, the whole time span, the text joined, the mean confidence.
 */
function transcriptionView(t: TranscriptionDoc): TranscriptSentence {
  const first = t.sentences[0]!;
  const last = t.sentences[t.sentences.length - 1]!;
  const mean = t.sentences.reduce((sum, s) => sum + s.confidence, 0) / t.sentences.length;
  return {
    mediaChannel: first.mediaChannel,
    sentenceIndex: first.sentenceIndex,
    startTime: first.startTime,
    endTime: last.endTime,
    transcript: t.sentences.map((s) => s.transcript).join(" "),
    confidence: Math.round(mean * 100) / 100,
  };
}

function typingFlag(v: unknown): boolean {
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  throw unprocessable(["isTyping must be a boolean value"]);
}

function updateStatus(ctx: HandlerContext) {
  const m = loadMessage(ctx, ctx.params.messageId!);
  if (!CUSTOM_PROVIDER_TYPES.has(m.messageType) && !m.conversationProviderId) {
    throw badRequest("Message status can only be updated for messages of a custom conversation provider");
  }
  const b = ctx.body as {
    status: "delivered" | "failed" | "pending" | "read";
    error?: { code: string; type: string; message: string };
    emailMessageId?: string;
  };
  let email: EmailDoc | undefined;
  if (b.emailMessageId) {
    email = ctx.state.records.get<EmailDoc>("email-message", b.emailMessageId);
    const ownId = m.messageType.includes("EMAIL") && b.emailMessageId === m.id;
    if ((!email || email.messageId !== m.id) && !ownId) throw badRequest("Email message not found");
  }
  m.status = b.status;
  // The provider's error explains a failure; any other status clears it.
  if (b.status === "failed" && b.error)
    m.error = { code: b.error.code, type: b.error.type, message: b.error.message };
  else delete m.error;
  ctx.state.records.update("message", m);
  if (email) ctx.state.records.update("email-message", { ...email, status: b.status });
  return {
    body: {
      conversationId: m.conversationId,
      messageId: m.id,
      ...(b.emailMessageId && { emailMessageId: b.emailMessageId }),
      status: b.status,
    },
  };
}

function agentTyping(ctx: HandlerContext) {
  const b = ctx.body as { locationId: string; isTyping: unknown; conversationId: string };
  typingFlag(b.isTyping);
  const c = ctx.state.records.get<ConversationDoc>("conversation", b.conversationId);
  if (!c) throw badRequest("Conversation not found");
  ctx.ensureLocation(c.locationId);
  if (c.locationId !== b.locationId) throw badRequest("Conversation not found");
  // The indicator only reaches the visitor's chat widget: nothing is stored.
  return { status: 201, body: { success: true } };
}

export const conversationExtraHandlers: HandlerMap = {
  "get-email-by-id": (ctx) => ({ body: emailView(findEmail(ctx, ctx.params.id!)) }),
  "get-message-recording": (ctx) => {
    const m = loadMessage(ctx, ctx.params.messageId!, ctx.params.locationId!);
    if (!ctx.state.records.get<RecordingDoc>("call-recording", m.id)) throw badRequest("Recording not found");
    return {
      body: recordingWav(),
      headers: { "content-type": "audio/x-wav", "content-disposition": "Attachment; filename=audio.wav" },
    };
  },
  "get-message-transcription": (ctx) => ({ body: transcriptionView(loadTranscription(ctx)) }),
  "download-message-transcription": (ctx) => {
    const t = loadTranscription(ctx);
    const text = `${t.sentences.map((s) => s.transcript).join("\n")}\n`;
    return {
      body: Buffer.from(text, "utf8"),
      headers: {
        "content-type": "text/plain; charset=utf-8",
        "content-disposition": 'Attachment; filename="transcription.txt"',
      },
    };
  },
  "update-message-status": updateStatus,
  "live-chat-agent-typing": agentTyping,
};

/**
 * A second seeded conversation (for the given contact): an outbound email and, 30 minutes
 * later, an inbound call with a recording and a transcription.
 */
export function seedConversationExtras(state: State, contactId: string, userId: string, at: number): void {
  const { ids, records } = state;
  const contact = records.get<ContactDoc>("contact", contactId);
  if (!contact) return;
  const location = getLocation(state, contact.locationId);
  const conv = newConversation(state, contact, at);

  const emailId = ids.id();
  const subject = "Your listing consultation";
  const first = contact.firstName ?? "there";
  const html = `<p>Hi ${first}, thanks for reaching out about selling your home. Here is our listing guide.</p>`;
  const msg = addMessage(state, conv, {
    type: 3,
    messageType: "TYPE_EMAIL",
    dateAdded: iso(at),
    body: html,
    direction: "outbound",
    status: "delivered",
    contentType: "text/html",
    attachments: [],
    source: "app",
    subject,
    meta: { email: { messageIds: [emailId] } },
    userId,
  });
  const email: EmailDoc = {
    id: emailId,
    messageId: msg.id,
    locationId: contact.locationId,
    contactId: contact.id,
    conversationId: conv.id,
    threadId: emailId,
    dateAdded: msg.dateAdded,
    subject,
    body: html,
    direction: "outbound",
    status: "delivered",
    contentType: "text/html",
    attachments: [],
    provider: "mailgun",
    from: location ? `${location.name} <${String(location.email ?? "")}>` : "",
    to: contact.email ? [contact.email] : [],
    cc: [],
    bcc: [],
    source: "app",
  };
  records.insert("email-message", email, {
    locationId: contact.locationId,
    parentId: msg.id,
    sortMs: Date.parse(msg.dateAdded),
  });

  const callAt = at + 30 * 60_000;
  const call = addMessage(state, conv, {
    type: 1,
    messageType: "TYPE_CALL",
    dateAdded: iso(callAt),
    body: "",
    direction: "inbound",
    status: "connected",
    contentType: "text/plain",
    // Call recordings are not attachments: the recording endpoint serves them.
    attachments: [],
    source: "app",
    meta: { callDuration: "42", callStatus: "completed" },
    userId,
  });
  const placement = { locationId: contact.locationId, parentId: call.id, sortMs: callAt };
  records.insert<RecordingDoc>("call-recording", { id: call.id, locationId: contact.locationId }, placement);
  const lines: Array<[number, number, number, string, number]> = [
    [2, 0, 3_400, "Thank you for calling Demo Realty, this is Alex.", 0.97],
    [1, 3_900, 9_800, `Hi Alex, it's ${first}. I got your email about the listing consultation.`, 0.92],
    [2, 10_300, 16_100, "Great to hear from you. Would Thursday afternoon work for a walkthrough?", 0.95],
    [1, 16_600, 19_900, "Thursday at three works for me.", 0.9],
  ];
  const sentences = lines.map(([mediaChannel, startTime, endTime, transcript, confidence], i) => ({
    mediaChannel,
    sentenceIndex: i + 1,
    startTime,
    endTime,
    transcript,
    confidence,
  }));
  records.insert<TranscriptionDoc>(
    "call-transcription",
    { id: call.id, locationId: contact.locationId, sentences },
    placement,
  );
}
