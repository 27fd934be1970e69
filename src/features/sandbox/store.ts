import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import type { Role } from "../../platform/db/schema.js";
import type { OrgContext } from "../../platform/tenancy.js";

const TWIN_COLUMNS = [
  "id",
  "name",
  "plan",
  "sandbox_of",
  "created_at",
  "sandbox_reset_at",
  "sandbox_requested_reset_at",
] as const;

export type TwinRow = {
  id: string;
  name: string;
  plan: string;
  sandbox_of: string;
  created_at: Date;
  sandbox_reset_at: Date;
  sandbox_requested_reset_at: Date | null;
};

/**
 * What a reset deletes, children first: the twin's data, its events and its jobs. Its webhooks
 * (configuration), members, request and audit log stay, and so do deliveries still pending: each
 * is the promise of an event that did happen (SPEC §7, at least once), finished ones go.
 */
const RESET_TABLES = [
  "time_entry_tags",
  "time_entries",
  "tasks",
  "projects",
  "clients",
  "tags",
  "events",
  "jobs",
  "invitations",
] as const;

/**
 * SQL for sandbox twins. `ctx` is either the live organization or its twin: both name the same
 * sandbox, so a live credential and a test one reach it through their own context.
 */
export function createSandboxStore(db: Db) {
  return {
    /** The twin of `ctx`'s organization, or `ctx`'s organization itself when it is a twin. */
    async find(ctx: OrgContext): Promise<TwinRow | undefined> {
      const row = await db
        .selectFrom("organizations")
        .select(TWIN_COLUMNS)
        .where((w) => w.or([w("sandbox_of", "=", ctx.orgId), w("id", "=", ctx.orgId)]))
        .where("sandbox_of", "is not", null)
        .executeTakeFirst();
      return row as TwinRow | undefined;
    },

    /**
     * Serializes the first uses of one organization's sandbox until the caller's transaction ends,
     * so two of them at once make one twin (the unique `sandbox_of` would refuse a second anyway).
     */
    async lockCreation(live: OrgContext): Promise<void> {
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`voltasis:sandbox:${live.orgId}`}, 0))`.execute(
        db,
      );
    },

    /** A new twin of the live organization, named as it is. */
    async insert(live: OrgContext, twin: { id: string; resetAt: Date }): Promise<TwinRow> {
      const row = await db
        .insertInto("organizations")
        .columns(["id", "name", "plan", "sandbox_of", "sandbox_reset_at"])
        .expression((eb) =>
          eb
            .selectFrom("organizations")
            .select([
              sql.lit(twin.id).as("id"),
              "name",
              "plan",
              "id as sandbox_of",
              sql<Date>`${twin.resetAt}::timestamptz`.as("sandbox_reset_at"),
            ])
            .where("id", "=", live.orgId)
            .where("sandbox_of", "is", null),
        )
        .returning(TWIN_COLUMNS)
        .executeTakeFirstOrThrow();
      return row as TwinRow;
    },

    /** Makes the user a member of the twin with `role`, or brings their membership in line. */
    async mirrorMember(twin: OrgContext, userId: string, role: Role): Promise<void> {
      await db
        .insertInto("memberships")
        .values({ organization_id: twin.orgId, user_id: userId, role })
        .onConflict((oc) =>
          oc
            .columns(["organization_id", "user_id"])
            .doUpdateSet({ role, status: "active", updated_at: sql`now()` })
            .where((w) => w.or([w("memberships.role", "<>", role), w("memberships.status", "<>", "active")])),
        )
        .execute();
    },

    /** Locks the twin for a reset until the caller's transaction ends; requests on it wait meanwhile. */
    async lockForReset(twin: OrgContext): Promise<TwinRow | undefined> {
      const row = await db
        .selectFrom("organizations")
        .select(TWIN_COLUMNS)
        .where("id", "=", twin.orgId)
        .where("sandbox_of", "is not", null)
        .forUpdate()
        .executeTakeFirst();
      return row as TwinRow | undefined;
    },

    /** Deletes the twin's data (RESET_TABLES) and finished deliveries, one statement per table. */
    async deleteData(twin: OrgContext): Promise<void> {
      for (const table of RESET_TABLES) {
        await db.deleteFrom(table).where("organization_id", "=", twin.orgId).execute();
      }
      await db
        .deleteFrom("webhook_deliveries")
        .where("organization_id", "=", twin.orgId)
        .where("status", "<>", "pending")
        .execute();
    },

    /** `requested`: a person asked for it (POST /v1/sandbox/reset), not the daily schedule. */
    async stampReset(twin: OrgContext, at: Date, requested: boolean): Promise<TwinRow> {
      const row = await db
        .updateTable("organizations")
        .set({
          sandbox_reset_at: at,
          ...(requested ? { sandbox_requested_reset_at: at } : {}),
          updated_at: sql`now()`,
        })
        .where("id", "=", twin.orgId)
        .where("sandbox_of", "is not", null)
        .returning(TWIN_COLUMNS)
        .executeTakeFirstOrThrow();
      return row as TwinRow;
    },
  };
}

/**
 * The daily reset's claim: a twin not reset since `due`, locked for the caller's transaction and
 * skipped by every other process meanwhile. Like the queue claims it looks across organizations
 * (tenancy.ts): it hands out one twin, which is then reset under its own context.
 */
export async function claimDueTwin(db: Db, due: Date): Promise<string | undefined> {
  const row = await db
    .selectFrom("organizations")
    .select("id")
    .where("sandbox_of", "is not", null)
    .where("sandbox_reset_at", "<", due)
    .orderBy("sandbox_reset_at")
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return row?.id;
}

export type SandboxStore = ReturnType<typeof createSandboxStore>;
