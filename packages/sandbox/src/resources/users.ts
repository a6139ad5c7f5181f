// Users: company-level records with a role (`type` agency|account, `role` admin|user) and the
// locations they work in. A location token sees only the users of its own location; an
// agency token sees every user of its company. Deletes are soft (`deleted: true`), which is
// what `filter-users-by-email`'s `deleted` flag reads.
import { type HandlerContext, type HandlerMap, isoNow, type State } from "../context.ts";
import { badRequest, forbidden, unprocessable } from "../http/errors.ts";
import { loadSpec, SPEC_BASE_ID } from "../spec/load.ts";

export type Permissions = Record<string, boolean>;

export interface UserDoc {
  id: string;
  companyId: string;
  firstName: string;
  lastName: string;
  name: string;
  email: string;
  phone?: string;
  extension?: string;
  /** agency | account */
  type: string;
  /** admin | user */
  role: string;
  locationIds: string[];
  restrictSubAccount?: boolean;
  permissions: Permissions;
  profilePhoto?: string;
  platformLanguage?: string;
  deleted: boolean;
  dateAdded: string;
}

const TYPES = ["agency", "account"];
const ROLES = ["admin", "user"];

let defaults: Permissions | undefined;

/** Permission defaults exactly as the spec's PermissionsDto declares them. */
export function defaultPermissions(): Permissions {
  if (!defaults) {
    const doc = loadSpec().documents.get(`${SPEC_BASE_ID}apps/users.json`) as {
      components: { schemas: { PermissionsDto: { properties: Record<string, { default?: boolean }> } } };
    };
    defaults = Object.fromEntries(
      Object.entries(doc.components.schemas.PermissionsDto.properties).map(([k, p]) => [
        k,
        p.default ?? false,
      ]),
    );
  }
  return { ...defaults };
}

/** skip/limit arrive as strings (the spec types them so); both must be integers. */
export function skipLimit(
  query: Record<string, unknown>,
  defaultLimit: number,
): { skip: number; limit: number } {
  const problems: string[] = [];
  const read = (name: string, fallback: number, min: number) => {
    const raw = query[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      problems.push(
        min === 0 ? `${name} must be a non-negative integer` : `${name} must be a positive integer`,
      );
    }
    return n;
  };
  const skip = read("skip", 0, 0);
  const limit = read("limit", defaultLimit, 1);
  if (problems.length) throw unprocessable(problems);
  return { skip, limit };
}

function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * UserSchema. `scopes` is left out: the spec types it as ONE scope string while requests send
 * an array (see SPEC-DEVIATIONS.md).
 */
export function userView(u: UserDoc, withDeleted = false): Record<string, unknown> {
  return compact({
    id: u.id,
    name: u.name,
    firstName: u.firstName,
    lastName: u.lastName,
    email: u.email,
    phone: u.phone,
    extension: u.extension ?? "",
    permissions: u.permissions,
    roles: compact({
      type: u.type,
      role: u.role,
      locationIds: u.locationIds,
      restrictSubAccount: u.restrictSubAccount,
    }),
    profilePhoto: u.profilePhoto,
    platformLanguage: u.platformLanguage,
    deleted: withDeleted ? u.deleted : undefined,
  });
}

export function newUser(
  state: State,
  companyId: string,
  input: Record<string, unknown>,
  id: string = state.ids.id(),
): UserDoc {
  const u: UserDoc = {
    id,
    companyId,
    firstName: "",
    lastName: "",
    name: "",
    email: "",
    type: "account",
    role: "user",
    locationIds: [],
    permissions: defaultPermissions(),
    deleted: false,
    dateAdded: isoNow(state),
  };
  applyUserInput(u, input);
  return u;
}

function applyUserInput(u: UserDoc, b: Record<string, unknown>): void {
  for (const k of [
    "firstName",
    "lastName",
    "phone",
    "profilePhoto",
    "platformLanguage",
    "type",
    "role",
  ] as const) {
    if (typeof b[k] === "string") u[k] = b[k] as string;
  }
  if (typeof b.email === "string") u.email = b.email.trim();
  if (Array.isArray(b.locationIds)) u.locationIds = [...new Set(b.locationIds.map(String))];
  if (b.permissions && typeof b.permissions === "object") {
    u.permissions = { ...u.permissions, ...(b.permissions as Permissions) };
  }
  u.name = [u.firstName, u.lastName].filter(Boolean).join(" ");
}

function checkRole(b: Record<string, unknown>): void {
  const problems: string[] = [];
  if (b.type !== undefined && !TYPES.includes(String(b.type))) {
    problems.push(`type must be one of the following values: ${TYPES.join(", ")}`);
  }
  if (b.role !== undefined && !ROLES.includes(String(b.role))) {
    problems.push(`role must be one of the following values: ${ROLES.join(", ")}`);
  }
  if (problems.length) throw unprocessable(problems);
}

/** Whether the token may see this user: its own company, and for a location token its location. */
function visible(ctx: HandlerContext, u: UserDoc): boolean {
  if (u.companyId !== ctx.principal.companyId) return false;
  return ctx.principal.locationId === null || u.locationIds.includes(ctx.principal.locationId);
}

function loadUser(ctx: HandlerContext): UserDoc {
  const u = ctx.state.records.get<UserDoc>("user", ctx.params.userId!);
  if (!u || u.deleted || u.companyId !== ctx.principal.companyId) throw badRequest("User not found");
  if (!visible(ctx, u)) throw forbidden();
  return u;
}

function companyUsers(state: State, companyId: string): UserDoc[] {
  return state.records.list<UserDoc>("user").filter((u) => u.companyId === companyId);
}

function emailTaken(state: State, companyId: string, email: string, exceptId?: string): boolean {
  const e = email.toLowerCase();
  return companyUsers(state, companyId).some(
    (u) => !u.deleted && u.id !== exceptId && u.email.toLowerCase() === e,
  );
}

function search(ctx: HandlerContext) {
  const q = ctx.query;
  const { skip, limit } = skipLimit(q, 25);
  const text = typeof q.query === "string" ? q.query.trim().toLowerCase() : "";
  const ids = typeof q.ids === "string" && q.ids ? q.ids.split(",").map((s) => s.trim()) : null;
  const byDate = q.sort === "dateAdded";
  const dir = String(q.sortDirection ?? "asc").toLowerCase() === "desc" ? -1 : 1;
  const sortKey = (u: UserDoc) => (byDate ? u.dateAdded : `${u.firstName} ${u.lastName}`.toLowerCase());
  const all = companyUsers(ctx.state, String(q.companyId))
    .filter(
      (u) =>
        !u.deleted &&
        visible(ctx, u) &&
        (!q.locationId || u.locationIds.includes(String(q.locationId))) &&
        (!q.type || u.type === q.type) &&
        (!q.role || u.role === q.role) &&
        (!ids || ids.includes(u.id)) &&
        (!text || [u.name, u.email, u.phone].some((v) => v?.toLowerCase().includes(text))),
    )
    .sort((a, b) => (sortKey(a) < sortKey(b) ? -dir : sortKey(a) > sortKey(b) ? dir : 0));
  return { body: { users: all.slice(skip, skip + limit).map((u) => userView(u, true)), count: all.length } };
}

/** `projection`: omitted → id and email only; "all" → every field; else the named fields (plus id). */
function project(view: Record<string, unknown>, projection: unknown): Record<string, unknown> {
  if (projection === "all") return view;
  const fields =
    typeof projection === "string" && projection.trim()
      ? ["id", ...projection.split(",").map((s) => s.trim())]
      : ["id", "email"];
  return Object.fromEntries(Object.entries(view).filter(([k]) => fields.includes(k)));
}

function filterByEmail(ctx: HandlerContext) {
  const b = ctx.body as Record<string, unknown>;
  const { skip, limit } = skipLimit(b, 25);
  const emails = String(b.emails)
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const deleted = b.deleted === true;
  const all = companyUsers(ctx.state, String(b.companyId)).filter(
    (u) => u.deleted === deleted && emails.includes(u.email.toLowerCase()),
  );
  return {
    body: {
      users: all.slice(skip, skip + limit).map((u) => project(userView(u, true), b.projection)),
      count: all.length,
    },
  };
}

function create(ctx: HandlerContext) {
  const b = ctx.body as Record<string, unknown>;
  checkRole(b);
  const locationIds = (b.locationIds as unknown[]).map(String);
  // A location token may only place users in its own location.
  for (const id of locationIds) ctx.ensureLocation(id);
  const companyId = String(b.companyId);
  if (emailTaken(ctx.state, companyId, String(b.email))) {
    throw badRequest("A user with this email already exists");
  }
  const u = newUser(ctx.state, companyId, b);
  ctx.state.records.insert("user", u, { sortMs: ctx.state.now() });
  // The event is per location (each installed location's app hears of its own users).
  for (const locationId of u.locationIds) {
    ctx.state.webhooks.emit("UserCreate", locationId, {
      companyId,
      id: u.id,
      firstName: u.firstName,
      lastName: u.lastName,
      email: u.email,
      phone: u.phone ?? "",
      extension: u.extension ?? "",
      role: u.role,
      permissions: u.permissions,
      locations: u.locationIds,
    });
  }
  return { status: 201, body: userView(u) };
}

function update(ctx: HandlerContext) {
  const u = loadUser(ctx);
  const b = ctx.body as Record<string, unknown>;
  checkRole(b);
  if (Array.isArray(b.locationIds)) for (const id of b.locationIds) ctx.ensureLocation(String(id));
  if (typeof b.email === "string" && emailTaken(ctx.state, u.companyId, b.email, u.id)) {
    throw badRequest("A user with this email already exists");
  }
  applyUserInput(u, b);
  ctx.state.records.update("user", u);
  return { body: userView(u) };
}

export const userHandlers: HandlerMap = {
  "search-users": search,
  "filter-users-by-email": filterByEmail,
  "get-user": (ctx) => ({ body: userView(loadUser(ctx)) }),
  "get-user-by-location": (ctx) => {
    const locationId = String(ctx.query.locationId);
    const users = companyUsers(ctx.state, ctx.principal.companyId).filter(
      (u) => !u.deleted && u.locationIds.includes(locationId),
    );
    return { body: { users: users.map((u) => userView(u, true)) } };
  },
  "create-user": create,
  "update-user": update,
  "delete-user": (ctx) => {
    const u = loadUser(ctx);
    u.deleted = true;
    ctx.state.records.update("user", u);
    return {
      body: {
        succeded: true,
        message: `Queued deleting user with e-mail ${u.email} and name ${u.name}. Will take effect in a few minutes.`,
      },
    };
  },
};
