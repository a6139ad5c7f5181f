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
  /** The field's whole option list (HighLevel replaces it; options are never removed here). */
  updateCustomFieldOptions(field: CachedField, options: string[]): Promise<CachedField>;
  updateNote(contactId: string, noteId: string, body: string): Promise<void>;
  /** Contacts matching search filters (POST /contacts/search), up to `pageLimit`. */
  searchContacts(filters: unknown[], pageLimit: number): Promise<ContactSeen[]>;
}

/** A contact as read back: its standard fields and custom field values by id. */
export interface ContactSeen {
  id: string;
  fields: Record<string, unknown>;
  customFields: Record<string, unknown>;
}

function toContact(raw: unknown): ContactSeen {
  const c = (raw ?? {}) as Json;
  const customFields: Record<string, unknown> = {};
  for (const f of Array.isArray(c.customFields) ? (c.customFields as Json[]) : []) {
    customFields[String(f.id)] = f.value ?? f.field_value ?? f.fieldValue;
  }
  const { customFields: _, id, ...fields } = c;
  return { id: String(id), fields, customFields };
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
    async updateCustomFieldOptions(field, options) {
      const r = await call(
        "locations:update-custom-field",
        { locationId, id: field.id },
        { name: field.name, options },
      );
      return toField(r.customField ?? { ...field, picklistOptions: options });
    },
    async updateNote(contactId, noteId, body) {
      await call("update-note", { contactId, id: noteId }, { body });
    },
    async searchContacts(filters, pageLimit) {
      const r = await call("search-contacts-advanced", {}, { locationId, filters, pageLimit, page: 1 });
      return (Array.isArray(r.contacts) ? r.contacts : []).map(toContact);
    },
  };
}
