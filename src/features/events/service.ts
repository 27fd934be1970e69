import type { Db } from "../../platform/db/connection.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { toEvent } from "./format.js";
import type { DomainEventView } from "./schemas.js";
import { createEventStore } from "./store.js";

/** Read-only: events are written by the features that change things, in their own transactions. */
export function createEventService(deps: { db: Db }) {
  const { db } = deps;
  return {
    async list(ctx: OrgContext, query: Record<string, unknown>) {
      const { rows, pagination } = await createEventStore(db).list(ctx, query);
      return { items: rows.map(toEvent), pagination };
    },

    /** One past the retention window is a 404, as if it had been pruned already. */
    async get(ctx: OrgContext, id: string): Promise<DomainEventView> {
      const row = await createEventStore(db).find(ctx, id);
      return toEvent(row ?? (await notFoundOrForeign(db, ctx, "events", "id", id, "event")));
    },
  };
}

export type EventService = ReturnType<typeof createEventService>;
