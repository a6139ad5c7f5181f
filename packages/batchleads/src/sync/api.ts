// The few HighLevel operations an import uses, behind one small interface that counts every call
// (the summary's "API calls" and the tests' call budget come from here).
import type { HighLevelClient } from "@hlconnect/client";
import type { CachedField } from "./state.ts";

export interface ContactWrite {
  id: string;
  isNew: boolean;
}

export interface NoteSeen {
  id: string;
  body: string;
  dateAdded?: string;
}

export interface TaskSeen {
  id: string;
  title: string;
  body?: string;
}

export interface TagResult {
  /** Contacts the endpoint refused (deleted, not found...), with its message. */
  failed: Array<{ contactId: string; message: string }>;
}

export interface ImportApi {
  /** Calls made so far, in total and per operation key. */
  readonly calls: { total: number; byOperation: Record<string, number> };
  upsertContact(body: Record<string, unknown>): Promise<ContactWrite>;
  updateContact(contactId: string, body: Record<string, unknown>): Promise<ContactWrite>;
  addTags(contactIds: string[], tags: string[]): Promise<TagResult>;
  createNote(contactId: string, body: string): Promise<string | undefined>;
  listNotes(contactId: string): Promise<NoteSeen[]>;
  createTask(
    contactId: string,
    task: { title: string; body: string; dueDate: string },
  ): Promise<string | undefined>;
  listTasks(contactId: string): Promise<TaskSeen[]>;
  listCustomFields(): Promise<CachedField[]>;
  createCustomField(name: string, dataType: string): Promise<CachedField>;
}

type Json = Record<string, unknown>;

function toField(raw: unknown): CachedField {
  const f = (raw ?? {}) as Json;
  return {
    id: String(f.id),
    name: String(f.name ?? ""),
    dataType: String(f.dataType ?? "TEXT"),
    ...(Array.isArray(f.picklistOptions) ? { picklistOptions: f.picklistOptions.map(String) } : {}),
  };
}

/** The import's operations over a client, for one location. */
export function clientImportApi(client: HighLevelClient, locationId: string): ImportApi {
  const calls = { total: 0, byOperation: {} as Record<string, number> };
  const call = async (key: string, params?: Json, body?: unknown): Promise<Json> => {
    calls.total++;
    calls.byOperation[key] = (calls.byOperation[key] ?? 0) + 1;
    return ((await client.callByKey(key, params, body)) ?? {}) as Json;
  };
  const contactOf = (r: Json, isNew: boolean): ContactWrite => {
    const contact = (r.contact ?? {}) as Json;
    return { id: String(contact.id), isNew };
  };
  return {
    calls,
    async upsertContact(body) {
      const r = await call("upsert-contact", {}, { ...body, locationId });
      return contactOf(r, r.new === true);
    },
    async updateContact(contactId, body) {
      return contactOf(await call("update-contact", { contactId }, body), false);
    },
    async addTags(contactIds, tags) {
      const r = await call(
        "contacts:create-association",
        { type: "add" },
        { contacts: contactIds, tags, locationId },
      );
      const responses = Array.isArray(r.responses) ? (r.responses as Json[]) : [];
      return {
        failed: responses
          .filter((x) => x.type === "error")
          .map((x) => ({ contactId: String(x.contactId), message: String(x.message ?? "refused") })),
      };
    },
    async createNote(contactId, body) {
      const r = await call("create-note", { contactId }, { body });
      const note = (r.note ?? {}) as Json;
      return typeof note.id === "string" ? note.id : undefined;
    },
    async listNotes(contactId) {
      const r = await call("get-all-notes", { contactId });
      return (Array.isArray(r.notes) ? (r.notes as Json[]) : []).map((n) => ({
        id: String(n.id),
        body: String(n.body ?? ""),
        ...(typeof n.dateAdded === "string" ? { dateAdded: n.dateAdded } : {}),
      }));
    },
    async createTask(contactId, task) {
      const r = await call("create-task", { contactId }, { ...task, completed: false });
      const t = (r.task ?? {}) as Json;
      return typeof t.id === "string" ? t.id : undefined;
    },
    async listTasks(contactId) {
      const r = await call("get-all-tasks", { contactId });
      return (Array.isArray(r.tasks) ? (r.tasks as Json[]) : []).map((t) => ({
        id: String(t.id),
        title: String(t.title ?? ""),
        ...(typeof t.body === "string" ? { body: t.body } : {}),
      }));
    },
    async listCustomFields() {
      const r = await call("get-custom-fields", { locationId, model: "contact" });
      return (Array.isArray(r.customFields) ? r.customFields : []).map(toField);
    },
    async createCustomField(name, dataType) {
      const r = await call(
        "locations:create-custom-field",
        { locationId },
        { name, dataType, model: "contact" },
      );
      return toField(r.customField ?? r);
    },
  };
}
