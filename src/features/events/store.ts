import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import { runList } from "../../platform/list-query.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { EVENT_LIST, EVENT_RETENTION_DAYS } from "./schemas.js";
import { type EventVisibility, visibleEvents } from "./visibility.js";

const COLUMNS = [
  "e.id",
  "e.organization_id",
  "e.name",
  "e.resource_type",
  "e.resource_id",
  "e.actor_id",
  "e.data",
  "e.created_at",
] as const;

export function createEventStore(db: Db) {
  /** Only the retention window is visible, whether or not the pruning job has run yet. */
  const retained = (ctx: OrgContext) =>
    db
      .selectFrom("events as e")
      .select(COLUMNS)
      .where("e.organization_id", "=", ctx.orgId)
      .where("e.created_at", ">", sql<Date>`now() - make_interval(days => ${EVENT_RETENTION_DAYS})`);

  return {
    list(ctx: OrgContext, visibility: EventVisibility, query: Record<string, unknown>) {
      return runList(db, ctx, EVENT_LIST, retained(ctx).where(visibleEvents(visibility)), query);
    },

    /** Visible events after `afterId` in id (creation) order: a stream's replay, one page at a time. */
    after(ctx: OrgContext, visibility: EventVisibility, afterId: string, limit: number) {
      return retained(ctx)
        .where(visibleEvents(visibility))
        .where("e.id", ">", afterId)
        .orderBy("e.id")
        .limit(limit)
        .execute();
    },
    /** Events by id, whoever may see them: the live stream loads each committed event once. */
    byIds(ctx: OrgContext, ids: readonly string[]) {
      return retained(ctx).where("e.id", "in", ids).orderBy("e.id").execute();
    },
    /** Whether the id is a retained event of this organization (a place to resume from). */
    async exists(ctx: OrgContext, id: string) {
      return (await retained(ctx).where("e.id", "=", id).executeTakeFirst()) !== undefined;
    },
    /** The event, and whether `visibility` lets the caller see it. */
    async find(ctx: OrgContext, visibility: EventVisibility, id: string) {
      return retained(ctx)
        .select((eb) => visibleEvents(visibility)(eb).as("visible"))
        .where("e.id", "=", id)
        .executeTakeFirst();
    },
  };
}

export type EventStore = ReturnType<typeof createEventStore>;
export type EventRow = Awaited<ReturnType<EventStore["list"]>>["rows"][number];
