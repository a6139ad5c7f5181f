// Businesses: the skip/limit pagination style (GET /businesses/?locationId&skip&limit).
import { type HandlerContext, type HandlerMap, isoNow } from "../context.ts";
import { badRequest, unprocessable } from "../http/errors.ts";

export interface BusinessDoc {
  id: string;
  locationId: string;
  name: string;
  phone?: string;
  email?: string;
  website?: string;
  address?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  createdBy: Record<string, unknown>;
  updatedBy: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

const FIELDS = [
  "name",
  "phone",
  "email",
  "website",
  "address",
  "city",
  "state",
  "postalCode",
  "country",
] as const;

function load(ctx: HandlerContext): BusinessDoc {
  const b = ctx.state.records.get<BusinessDoc>("business", ctx.params.businessId!);
  if (!b) throw badRequest("Business not found");
  ctx.ensureLocation(b.locationId);
  return b;
}

function assign(doc: BusinessDoc, input: Record<string, unknown>): void {
  for (const k of FIELDS) if (typeof input[k] === "string") doc[k] = input[k] as string;
}

function intParam(v: unknown, name: string, fallback: number, max?: number): number {
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw unprocessable([`${name} must be a non-negative integer`]);
  if (max !== undefined && n > max) throw unprocessable([`${name} must not be greater than ${max}`]);
  return n;
}

export const businessHandlers: HandlerMap = {
  "get-businesses-by-location": (ctx) => {
    const limit = intParam(ctx.query.limit, "limit", 100, 100);
    const skip = intParam(ctx.query.skip, "skip", 0);
    const all = ctx.state.records.list<BusinessDoc>("business", { locationId: String(ctx.query.locationId) });
    return { body: { businesses: all.slice(skip, skip + limit) } };
  },
  "get-business": (ctx) => ({ body: { business: load(ctx) } }),
  "create-business": (ctx) => {
    const input = ctx.body as Record<string, unknown>;
    const now = isoNow(ctx.state);
    const doc: BusinessDoc = {
      id: ctx.state.ids.id(),
      locationId: String(input.locationId),
      name: String(input.name),
      createdBy: { source: "INTEGRATION", userId: ctx.principal.userId },
      updatedBy: { source: "INTEGRATION", userId: ctx.principal.userId },
      createdAt: now,
      updatedAt: now,
    };
    assign(doc, input);
    ctx.state.records.insert("business", doc, { locationId: doc.locationId, sortMs: ctx.state.now() });
    // "buiseness" (sic) is the documented key.
    return { status: 201, body: { success: true, buiseness: doc } };
  },
  "update-business": (ctx) => {
    const doc = load(ctx);
    assign(doc, ctx.body as Record<string, unknown>);
    doc.updatedAt = isoNow(ctx.state);
    ctx.state.records.update("business", doc);
    return { body: { success: true, buiseness: doc } };
  },
  "delete-Business": (ctx) => {
    ctx.state.records.delete("business", load(ctx).id);
    return { body: { success: true } };
  },
};
