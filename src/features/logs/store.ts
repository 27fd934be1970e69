import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import { runList } from "../../platform/list-query.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { LOG_LIST, LOG_RETENTION_DAYS } from "./schemas.js";

const COLUMNS = [
  "l.id",
  "l.kind",
  "l.created_at",
  "l.user_id",
  "l.api_key_id",
  "l.request_id",
  "l.method",
  "l.path",
  "l.status",
  "l.duration_ms",
  "l.action",
  "l.resource_type",
  "l.resource_id",
  "l.event_id",
] as const;

export function createLogStore(db: Db) {
  return {
    /** Only the retention window is visible, whether or not the pruning job has run yet. */
    list(ctx: OrgContext, query: Record<string, unknown>) {
      const retained = db
        .selectFrom("logs as l")
        .select(COLUMNS)
        .where("l.organization_id", "=", ctx.orgId)
        .where("l.created_at", ">", sql<Date>`now() - make_interval(days => ${LOG_RETENTION_DAYS})`);
      return runList(db, ctx, LOG_LIST, retained, query);
    },

    /** The key's counted days in [from, to): days without a row had no requests. */
    usage(ctx: OrgContext, apiKeyId: string, from: string, to: string) {
      return db
        .selectFrom("api_key_usage_daily")
        .select([sql<string>`to_char(day, 'YYYY-MM-DD')`.as("date"), "requests", "errors"])
        .where("organization_id", "=", ctx.orgId)
        .where("api_key_id", "=", apiKeyId)
        .where("day", ">=", sql<Date>`${from}::date`)
        .where("day", "<", sql<Date>`${to}::date`)
        .orderBy("day")
        .execute();
    },
  };
}

export type LogStore = ReturnType<typeof createLogStore>;
export type LogRow = Awaited<ReturnType<LogStore["list"]>>["rows"][number];
