import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import type { OrgContext } from "../../platform/tenancy.js";
import type { UpdateSettingsBody } from "./schemas.js";

// postgres.js turns a `date` into a JS Date at UTC midnight; the text form is the day itself.
const SETTINGS_COLUMNS = [
  "timezone",
  "week_start",
  "currency",
  "default_hourly_rate",
  "rounding_minutes",
  sql<string | null>`lock_date::text`.as("lock_date"),
  "prevent_overlaps",
  "members_set_rates",
  "updated_at",
] as const;

export function createSettingsStore(db: Db) {
  return {
    /** Every organization has its row from birth (a trigger of migration 0002). */
    async find(ctx: OrgContext) {
      return db
        .selectFrom("organization_settings")
        .select(SETTINGS_COLUMNS)
        .where("organization_id", "=", ctx.orgId)
        .executeTakeFirst();
    },

    async update(ctx: OrgContext, patch: UpdateSettingsBody) {
      return db
        .updateTable("organization_settings")
        .set({ ...patch, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .returning(SETTINGS_COLUMNS)
        .executeTakeFirst();
    },

    /** Whether PostgreSQL knows the zone too: reports bucket days with `AT TIME ZONE`. */
    async timezoneKnown(_ctx: OrgContext, name: string) {
      const result = await sql<{ known: boolean }>`
        SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = ${name}) AS known`.execute(db);
      return result.rows[0]?.known === true;
    },

    /** Undefined when the user is not a member of this organization. */
    async setMemberRate(ctx: OrgContext, userId: string, hourlyRate: number | null) {
      return db
        .updateTable("memberships")
        .set({ hourly_rate: hourlyRate, updated_at: sql`now()` })
        .where("organization_id", "=", ctx.orgId)
        .where("user_id", "=", userId)
        .returning(["user_id", "hourly_rate", "updated_at"])
        .executeTakeFirst();
    },
  };
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;
export type SettingsRow = NonNullable<Awaited<ReturnType<SettingsStore["find"]>>>;
