// The seeded world: agency "Demo Agency" with the location "Demo Realty" (contacts, a task,
// a note, a pipeline with opportunities, a conversation with messages, businesses and an
// appointment with a note) and a second, sparse location for cross-location tests.
// Everything comes from the seeded id source and fixed dates, so a seed always gives the
// same world.
import type { Fixtures, LocationDoc, State } from "./context.ts";
import { seedAssociations } from "./resources/associations.ts";
import { seedBlogs } from "./resources/blogs.ts";
import { seedCalendars } from "./resources/calendar-seed.ts";
import { type ContactDoc, insertContact, newContact } from "./resources/contact-model.ts";
import { seedConversationExtras } from "./resources/conversation-extras.ts";
import { addMessage, channelOf, newConversation } from "./resources/conversations.ts";
import { seedAccounts } from "./resources/locations.ts";

/** Seeded records are dated from here on, one hour apart. */
const BASE = Date.UTC(2024, 0, 15, 9, 0, 0);
const HOUR = 3_600_000;

const PEOPLE = [
  {
    firstName: "Olivia",
    lastName: "Martinez",
    email: "olivia.martinez@example.com",
    phone: "+14155550101",
    tags: ["buyer", "hot lead"],
    city: "San Francisco",
  },
  {
    firstName: "Liam",
    lastName: "Chen",
    email: "liam.chen@example.com",
    phone: "+14155550102",
    tags: ["seller"],
    city: "Oakland",
  },
  {
    firstName: "Ava",
    lastName: "Johnson",
    email: "ava.johnson@example.com",
    phone: "+14155550103",
    tags: ["buyer"],
    city: "Berkeley",
  },
  {
    firstName: "Noah",
    lastName: "Williams",
    email: "noah.williams@example.com",
    phone: "+14155550104",
    tags: ["investor", "vip"],
    city: "San Jose",
  },
  {
    firstName: "Emma",
    lastName: "Brown",
    email: "emma.brown@example.com",
    phone: "+14155550105",
    tags: [],
    city: "Palo Alto",
    companyName: "Brown Ventures",
  },
];

export function seedWorld(state: State, seed: number): Fixtures {
  const { ids, records } = state;
  // Ids first, in a fixed order, so the world does not depend on what else is seeded.
  const companyId = ids.id();
  const locationId = ids.id();
  const otherLocationId = ids.id();
  const userId = ids.id();
  const appId = ids.hex(24);
  const versionId = ids.hex(24);
  const app = {
    appId,
    versionId,
    clientId: `${appId}-${ids.chars(8, "abcdefghijklmnopqrstuvwxyz0123456789")}`,
    clientSecret: ids.uuid(),
  };

  let clock = BASE;
  const at = () => {
    clock += HOUR;
    return clock;
  };
  // Seeded contacts get fixed dates whatever the sandbox clock says.
  const withClock = <T>(ms: number, fn: () => T): T => {
    const real = state.now;
    state.now = () => ms;
    try {
      return fn();
    } finally {
      state.now = real;
    }
  };

  records.insert("company", { id: companyId, name: "Demo Agency", email: "owner@demo-agency.example", seed });
  records.insert("user", { id: userId, name: "Alex Agent", email: "alex@demo-agency.example", companyId });
  const location = (id: string, name: string, city: string): LocationDoc => ({
    id,
    companyId,
    name,
    address: `${name === "Demo Realty" ? "100" : "200"} Market St`,
    city,
    state: "CA",
    country: "US",
    postalCode: "94105",
    timezone: "America/Los_Angeles",
    email: `hello@${name.toLowerCase().replace(/\s+/g, "-")}.example`,
    phone: name === "Demo Realty" ? "+14155550100" : "+14155550200",
    website: `https://${name.toLowerCase().replace(/\s+/g, "-")}.example`,
    settings: { allowDuplicateContact: false },
    dateAdded: new Date(BASE).toISOString(),
  });
  records.insert("location", location(locationId, "Demo Realty", "San Francisco"), { locationId });
  records.insert("location", location(otherLocationId, "Harbor Homes", "Sausalito"), {
    locationId: otherLocationId,
  });

  const contacts: ContactDoc[] = PEOPLE.map((p) =>
    withClock(at(), () => insertContact(state, newContact(state, locationId, { ...p, source: "seed" }))),
  );
  withClock(at(), () =>
    insertContact(
      state,
      newContact(state, otherLocationId, {
        firstName: "Harper",
        lastName: "Lee",
        email: "harper.lee@example.com",
        phone: "+14155550201",
        tags: ["buyer"],
      }),
    ),
  );
  const first = contacts[0]!;

  const taskAt = at();
  records.insert(
    "task",
    {
      id: ids.id(),
      contactId: first.id,
      locationId,
      title: "Call about the open house",
      body: "Confirm Saturday 2pm viewing",
      assignedTo: userId,
      dueDate: new Date(taskAt + 48 * HOUR).toISOString(),
      completed: false,
      dateAdded: new Date(taskAt).toISOString(),
    },
    { locationId, parentId: first.id, sortMs: taskAt },
  );
  const noteAt = at();
  records.insert(
    "note",
    {
      id: ids.id(),
      contactId: first.id,
      locationId,
      body: "Prefers a 3-bedroom near good schools; budget $1.2M.",
      userId,
      dateAdded: new Date(noteAt).toISOString(),
    },
    { locationId, parentId: first.id, sortMs: noteAt },
  );

  const stageNames = ["New Lead", "Contacted", "Proposal Sent", "Closed"];
  const pipelineId = ids.id();
  const stages = stageNames.map((name, position) => ({
    id: ids.uuid(),
    name,
    position,
    showInFunnel: true,
    showInPieChart: true,
  }));
  records.insert(
    "pipeline",
    { id: pipelineId, locationId, name: "Sales Pipeline", stages, showInFunnel: true, showInPieChart: true },
    { locationId },
  );
  for (const [i, c] of contacts.slice(0, 2).entries()) {
    const t = at();
    const iso = new Date(t).toISOString();
    records.insert(
      "opportunity",
      {
        id: ids.id(),
        locationId,
        name: `${c.firstName} ${c.lastName} - ${i === 0 ? "Buy" : "Sell"}`,
        monetaryValue: i === 0 ? 1_200_000 : 850_000,
        pipelineId,
        pipelineStageId: stages[i]!.id,
        assignedTo: userId,
        status: "open",
        source: "seed",
        contactId: c.id,
        lastStatusChangeAt: iso,
        lastStageChangeAt: iso,
        createdAt: iso,
        updatedAt: iso,
        customFields: [],
        followers: [],
      },
      { locationId, sortMs: t },
    );
  }

  const conv = newConversation(state, first, at());
  const lines: Array<[string, "inbound" | "outbound"]> = [
    ["Hi! I saw the listing on Elm Street. Is it still available?", "inbound"],
    ["Hi Olivia, yes it is. Would you like to schedule a viewing?", "outbound"],
    ["Yes please, Saturday works for me.", "inbound"],
    ["Great, Saturday at 2pm is booked.", "outbound"],
    ["Thanks! See you then.", "inbound"],
  ];
  for (const [body, direction] of lines) {
    const [type, messageType] = channelOf("SMS");
    addMessage(state, conv, {
      type,
      messageType,
      dateAdded: new Date(at()).toISOString(),
      body,
      direction,
      status: direction === "inbound" ? "delivered" : "read",
      contentType: "text/plain",
      attachments: [],
      source: direction === "inbound" ? "app" : "api",
    });
  }

  for (const name of ["Bay Area Title Co.", "Golden Gate Mortgages"]) {
    const t = at();
    const iso = new Date(t).toISOString();
    records.insert(
      "business",
      {
        id: ids.id(),
        locationId,
        name,
        city: "San Francisco",
        createdBy: {},
        updatedBy: {},
        createdAt: iso,
        updatedAt: iso,
      },
      { locationId, sortMs: t },
    );
  }

  const apptAt = at();
  const appointmentId = ids.id();
  records.insert(
    "appointment",
    {
      id: appointmentId,
      locationId,
      contactId: first.id,
      calendarId: ids.id(),
      title: "Viewing: 12 Elm Street",
      startTime: new Date(apptAt + 24 * HOUR).toISOString(),
      endTime: new Date(apptAt + 25 * HOUR).toISOString(),
      assignedUserId: userId,
      dateAdded: new Date(apptAt).toISOString(),
    },
    { locationId, sortMs: apptAt },
  );
  records.insert(
    "appointment-note",
    {
      id: ids.id(),
      appointmentId,
      locationId,
      body: "Bring the disclosure packet.",
      userId,
      contactId: first.id,
      dateAdded: new Date(apptAt).toISOString(),
    },
    { locationId, parentId: appointmentId, sortMs: apptAt },
  );

  // Users and their roles, snapshot, custom field definitions, workflows and campaigns.
  seedAccounts(state, { companyId, locationId, otherLocationId, userId });
  // A calendar group with two calendars, an appointment, a blocked slot, a notification and a room.
  seedCalendars(state, { locationId, userId, contactId: contacts[1]!.id });

  // Associations (system ones, property_owner) with a relation; a blog site with posts, authors
  // and categories; a second conversation (an email, a recorded and transcribed call) dated
  // before Olivia's last message so hers stays the most recent.
  seedAssociations(state, locationId, otherLocationId, BASE + 20 * HOUR);
  seedBlogs(state, locationId, otherLocationId, BASE + 20 * HOUR);
  seedConversationExtras(state, contacts[1]!.id, userId, BASE + 13 * HOUR);

  const locationToken = state.tokens.mint({
    kind: "pit",
    userType: "Location",
    companyId,
    locationId,
    scopes: state.allScopes,
    userId,
    seeded: true,
  }).token;
  const agencyToken = state.tokens.mint({
    kind: "pit",
    userType: "Company",
    companyId,
    scopes: state.allScopes,
    userId,
    seeded: true,
  }).token;

  return { companyId, locationId, otherLocationId, userId, locationToken, agencyToken, app };
}
