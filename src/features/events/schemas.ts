import { type Static, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/ids.js";
import { type ListSpec, listQuerySchema } from "../../platform/list-query.js";

const EVENT_ID_EXAMPLE = "evt_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";

/** SPEC §6: events are kept 30 days; older ones are no longer listed even before they are pruned. */
export const EVENT_RETENTION_DAYS = 30;

const EventId = Type.String({ pattern: idPattern("event"), examples: [EVENT_ID_EXAMPLE] });
const eventName = (description: string) =>
  Type.String({
    pattern: "^[a-z_]+(\\.[a-z_]+)+$",
    maxLength: 100,
    description,
    examples: ["project.created"],
  });
const resourceType = (description: string) =>
  Type.String({ pattern: "^[a-z_]+$", maxLength: 50, description, examples: ["project"] });
const resourceId = (description: string) =>
  Type.String({ minLength: 1, maxLength: 100, description, examples: ["prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P"] });

/** The shape webhooks deliver too (SPEC §7), plus what the change was made to and by whom. */
export const EventSchema = Type.Object(
  {
    id: EventId,
    event: eventName("`<resource>.created|updated|deleted`, `timer.started`, …"),
    resource_type: resourceType("The kind of resource that changed"),
    resource_id: resourceId("The id of the resource that changed"),
    actor_id: Type.Union([Type.String(), Type.Null()], {
      description: "The user who made the change (for an API key, its creator); null for the system",
      examples: ["usr_01JD6V7W9Q3E4R5T6Y7Z8H9K0P"],
    }),
    organization_id: Type.String({ examples: ["org_01JD6V7W9Q3E4R5T6Y7Z8H9K0P"] }),
    data: Type.Unknown({
      description: "The resource as the API showed it after the change (before it, for a deletion)",
      examples: [{ id: "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P", name: "Website redesign" }],
    }),
    created_at: Type.String({ format: "date-time", examples: ["2024-01-01T00:00:00Z"] }),
  },
  { $id: "Event", additionalProperties: false },
);
export type DomainEventView = Static<typeof EventSchema>;

export const EventParams = Type.Object({ id: EventId }, { additionalProperties: false });

const resumeFrom = (how: string) =>
  Type.String({
    pattern: idPattern("event"),
    description: `Resume after this event (${how}): the stored events after it come first, then live ones`,
    examples: [EVENT_ID_EXAMPLE],
  });

/** For a browser's first connection: EventSource cannot set headers, and sends the header itself on reconnecting. */
export const StreamQuery = Type.Object(
  { last_event_id: Type.Optional(resumeFrom("when the Last-Event-ID header is absent")) },
  { additionalProperties: false },
);

export const StreamHeaders = Type.Object({
  "last-event-id": Type.Optional(resumeFrom("what EventSource sends")),
});

export const EVENT_LIST: ListSpec = {
  table: "events",
  alias: "e",
  filters: {
    event: { schema: eventName("Only events of this name (exact)"), column: "e.name" },
    resource_type: {
      schema: resourceType("Only events about this kind of resource"),
      column: "e.resource_type",
    },
    resource_id: { schema: resourceId("Only events about this resource"), column: "e.resource_id" },
  },
  range: { column: "e.created_at", description: "Events created" },
  sort: { fields: { created_at: "e.created_at" }, default: "created_at", order: "desc" },
  cursor: { idPattern: idPattern("event") },
};
export const ListEventsQuery = listQuerySchema(EVENT_LIST);
