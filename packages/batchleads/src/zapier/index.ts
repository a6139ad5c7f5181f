// BatchLeads' Zapier posts -> Leads (templates/batchleads-zapier.yaml receives them in a flow).
export {
  EMAIL_LIST_KEYS,
  EVENT_KEYS,
  FULL_NAME_KEYS,
  PHONE_LIST_KEYS,
  ZAPIER_ALIASES,
  ZAPIER_EVENTS,
  type ZapierEvent,
} from "./fields.ts";
export { leadFromZapierPost, leadsFromZapierPayload, type ZapierPostResult, zapierEvent } from "./lead.ts";
