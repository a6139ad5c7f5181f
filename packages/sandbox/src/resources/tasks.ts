// A contact's tasks (not paginated, like HighLevel's).
import { type HandlerContext, type HandlerMap, isoNow, type State } from "../context.ts";
import { badRequest, unprocessable } from "../http/errors.ts";
import { loadContact } from "./contact-model.ts";

export interface TaskDoc {
  id: string;
  contactId: string;
  locationId: string;
  title: string;
  body?: string;
  assignedTo?: string;
  dueDate: string;
  completed: boolean;
  dateAdded: string;
}

function view(t: TaskDoc) {
  const { locationId: _, ...rest } = t;
  return rest;
}

function emit(state: State, type: string, t: TaskDoc): void {
  const { completed: _, ...fields } = view(t);
  state.webhooks.emit(type, t.locationId, fields);
}

function checkDueDate(v: unknown): void {
  if (v !== undefined && (typeof v !== "string" || Number.isNaN(Date.parse(v)))) {
    throw unprocessable(["dueDate must be a valid ISO 8601 date string"]);
  }
}

function loadTask(ctx: HandlerContext): TaskDoc {
  const contact = loadContact(ctx, ctx.params.contactId!);
  const t = ctx.state.records.get<TaskDoc>("task", ctx.params.taskId!);
  if (!t || t.contactId !== contact.id) throw badRequest("Task not found");
  return t;
}

function create(ctx: HandlerContext) {
  const contact = loadContact(ctx, ctx.params.contactId!);
  const b = ctx.body as Partial<TaskDoc>;
  checkDueDate(b.dueDate);
  const t: TaskDoc = {
    id: ctx.state.ids.id(),
    contactId: contact.id,
    locationId: contact.locationId,
    title: String(b.title),
    ...(b.body !== undefined && { body: b.body }),
    ...(b.assignedTo !== undefined && { assignedTo: b.assignedTo }),
    dueDate: new Date(Date.parse(String(b.dueDate))).toISOString(),
    completed: b.completed === true,
    dateAdded: isoNow(ctx.state),
  };
  ctx.state.records.insert("task", t, {
    locationId: t.locationId,
    parentId: contact.id,
    sortMs: ctx.state.now(),
  });
  emit(ctx.state, "TaskCreate", t);
  return { status: 201, body: { task: view(t) } };
}

function update(ctx: HandlerContext, patch: Partial<TaskDoc>) {
  const t = loadTask(ctx);
  checkDueDate(patch.dueDate);
  const wasCompleted = t.completed;
  for (const k of ["title", "body", "assignedTo"] as const) if (patch[k] !== undefined) t[k] = patch[k];
  if (patch.dueDate !== undefined) t.dueDate = new Date(Date.parse(patch.dueDate)).toISOString();
  if (typeof patch.completed === "boolean") t.completed = patch.completed;
  ctx.state.records.update("task", t);
  if (!wasCompleted && t.completed) emit(ctx.state, "TaskComplete", t);
  return { body: { task: view(t) } };
}

export const taskHandlers: HandlerMap = {
  "get-all-tasks": (ctx) => {
    const contact = loadContact(ctx, ctx.params.contactId!);
    const tasks = ctx.state.records.list<TaskDoc>("task", { parentId: contact.id });
    return { body: { tasks: tasks.map(view) } };
  },
  "create-task": create,
  "get-task": (ctx) => ({ body: { task: view(loadTask(ctx)) } }),
  "update-task": (ctx) => update(ctx, ctx.body as Partial<TaskDoc>),
  "update-task-completed": (ctx) =>
    update(ctx, { completed: (ctx.body as { completed: boolean }).completed }),
  "delete-task": (ctx) => {
    const t = loadTask(ctx);
    ctx.state.records.delete("task", t.id);
    emit(ctx.state, "TaskDelete", t);
    return { body: { succeded: true } };
  },
};
