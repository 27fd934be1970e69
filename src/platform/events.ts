import { type Kysely, sql } from "kysely";
import type { Database } from "./db/schema.js";
import { newId } from "./ids.js";
import type { OrgContext } from "./tenancy.js";

export interface DomainEvent {
  /** `<resource>.created|updated|deleted`, `timer.started`, … (SPEC §7). */
  name: string;
  resourceType: string;
  resourceId: string;
  /** The user behind the change, when there is one. */
  actorId: string | null;
  /** The resource as the API shows it (after the change; before it for a delete). */
  data: unknown;
}

/**
 * Writes a domain event. Pass the transaction that makes the change: the event then commits or
 * rolls back with it (the outbox that webhooks deliver from), so none is lost or invented.
 */
export async function recordEvent(
  trx: Kysely<Database>,
  ctx: OrgContext,
  event: DomainEvent,
): Promise<string> {
  const id = newId("event");
  await trx
    .insertInto("events")
    .values({
      id,
      organization_id: ctx.orgId,
      name: event.name,
      resource_type: event.resourceType,
      resource_id: event.resourceId,
      actor_id: event.actorId,
      // As text, cast by PostgreSQL: postgres.js would JSON.stringify a string bound to a jsonb
      // parameter once more and store a JSON string instead of the object.
      data: sql<string>`${JSON.stringify(event.data)}::text::jsonb`,
    })
    .execute();
  return id;
}
