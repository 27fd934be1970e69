import type { Principal } from "../../platform/auth/authenticator.js";
import type { Db } from "../../platform/db/connection.js";
import { ForbiddenError } from "../../platform/errors.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { toEvent } from "./format.js";
import type { DomainEventView } from "./schemas.js";
import { createEventStore } from "./store.js";
import { eventVisibility } from "./visibility.js";

/** Read-only: events are written by the features that change things, in their own transactions. */
export function createEventService(deps: { db: Db }) {
  const { db } = deps;
  return {
    /** Only the events of resources the caller may read (SPEC §3). */
    async list(ctx: OrgContext, principal: Principal, query: Record<string, unknown>) {
      const visibility = eventVisibility(principal);
      const { rows, pagination } = await createEventStore(db).list(ctx, visibility, query);
      return { items: rows.map(toEvent), pagination };
    },

    /** One past the retention window is a 404, as if it had been pruned already. */
    async get(ctx: OrgContext, principal: Principal, id: string): Promise<DomainEventView> {
      const row = await createEventStore(db).find(ctx, eventVisibility(principal), id);
      if (!row) return notFoundOrForeign(db, ctx, "events", "id", id, "event");
      if (!row.visible) {
        throw new ForbiddenError("This event is about a resource this credential may not read", {
          reason: "resource_not_readable",
          resource_type: row.resource_type,
        });
      }
      return toEvent(row);
    },
  };
}

export type EventService = ReturnType<typeof createEventService>;
