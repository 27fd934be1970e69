import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import { epochMillis, sqlId } from "../../platform/db/sql-id.js";
import { newId } from "../../platform/ids.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { CLIENTS, DEMO_SETTINGS, DESCRIPTIONS, MEMBERS, PROJECTS, TAGS, TASKS } from "./demo-catalog.js";

/**
 * The demo organization's data, in one definition for `npm run seed` and for every sandbox twin
 * (SPEC §8): its cast of members, settings, clients, projects, tasks, tags and a year of time.
 * Everything is bulk SQL, a few statements computed by PostgreSQL, and runs inside the caller's
 * transaction (a sandbox is created or reset all at once or not at all).
 */

export interface DemoCounts {
  clients: number;
  projects: number;
  tasks: number;
  tags: number;
  timeEntries: number;
}

/**
 * Makes the demo cast (MEMBERS) members of the organization with their roles and rates, creating
 * their users on first use: people without a password, so nobody can sign in as them.
 * `emailOf(i)` names the i-th (from 1); running it again restores their roles, rates and status.
 */
export async function addDemoMembers(db: Db, ctx: OrgContext, emailOf: (i: number) => string): Promise<void> {
  const cast = MEMBERS.map((member, i) => ({ ...member, email: emailOf(i + 1) }));
  await db
    .insertInto("users")
    .values(cast.map((m) => ({ id: newId("user"), email: m.email, name: m.name, password_hash: null })))
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .execute();
  const users = await db
    .selectFrom("users")
    .select(["id", sql<string>`lower(email)`.as("email")])
    .where(
      sql<string>`lower(email)`,
      "in",
      cast.map((m) => m.email.toLowerCase()),
    )
    .execute();
  const idOf = new Map(users.map((u) => [u.email, u.id]));
  await db
    .insertInto("memberships")
    .values(
      cast.map((m) => ({
        organization_id: ctx.orgId,
        user_id: idOf.get(m.email.toLowerCase()) as string,
        role: m.role,
        hourly_rate: m.rate,
      })),
    )
    .onConflict((oc) =>
      oc.columns(["organization_id", "user_id"]).doUpdateSet((eb) => ({
        role: eb.ref("excluded.role"),
        hourly_rate: eb.ref("excluded.hourly_rate"),
        status: "active",
        updated_at: sql`now()`,
      })),
    )
    .execute();
}

/**
 * The demo settings, catalogue and a year of time entries for every member of the organization at
 * the moment of the call. The organization is expected to hold no clients, projects, tasks, tags
 * or entries yet.
 */
export async function fillDemoData(db: Db, ctx: OrgContext): Promise<DemoCounts> {
  const orgId = ctx.orgId;
  await db
    .updateTable("organization_settings")
    .set({
      ...DEMO_SETTINGS,
      rounding_minutes: 0,
      lock_date: null,
      prevent_overlaps: false,
      members_set_rates: false,
      updated_at: sql`now()`,
    })
    .where("organization_id", "=", orgId)
    .execute();

  const clientIds = CLIENTS.map(() => newId("client"));
  await db
    .insertInto("clients")
    .values(CLIENTS.map((c, i) => ({ id: clientIds[i] as string, organization_id: orgId, ...c })))
    .execute();
  const projectIds = PROJECTS.map(() => newId("project"));
  await db
    .insertInto("projects")
    .values(
      PROJECTS.map((p, i) => ({
        id: projectIds[i] as string,
        organization_id: orgId,
        client_id: p.client === null ? null : (clientIds[p.client] as string),
        name: p.name,
        hourly_rate: p.rate,
        color: p.color,
        billable: p.billable ?? true,
        status: p.archived ? ("archived" as const) : ("active" as const),
        budget_hours: p.budget ?? null,
      })),
    )
    .execute();
  // Five of the task names per project, rotating, so projects differ.
  const tasks = projectIds.flatMap((projectId, p) =>
    Array.from({ length: 5 }, (_, k) => ({
      id: newId("task"),
      organization_id: orgId,
      project_id: projectId,
      title: TASKS[(p + k) % TASKS.length] as string,
      status: k < 2 ? ("completed" as const) : k < 4 ? ("in_progress" as const) : ("open" as const),
    })),
  );
  await db.insertInto("tasks").values(tasks).execute();
  await db
    .insertInto("tags")
    .values(TAGS.map((name) => ({ id: newId("tag"), organization_id: orgId, name })))
    .execute();

  const timeEntries = await insertYearOfEntries(db, orgId);
  await tagSomeEntries(db, orgId);
  return {
    clients: CLIENTS.length,
    projects: PROJECTS.length,
    tasks: tasks.length,
    tags: TAGS.length,
    timeEntries,
  };
}

/**
 * Every active member, every weekday of the past year: up to six blocks of 30–120 minutes from
 * about 08:30 local time with short breaks and a lunch break, about one block in twelve left out.
 * Archived projects only get time older than half a year. The effective rate follows the same
 * precedence as the API: entry, project, member, organization default.
 */
async function insertYearOfEntries(db: Db, orgId: string): Promise<number> {
  const start = sql`((b.day + time '08:30' + make_interval(mins => b.offset_minutes)) AT TIME ZONE s.timezone)`;
  const result = await sql`
    WITH s AS (SELECT * FROM organization_settings WHERE organization_id = ${orgId}),
    days AS (
      SELECT d::date AS day FROM s,
        generate_series((now() AT TIME ZONE s.timezone)::date - 365, (now() AT TIME ZONE s.timezone)::date - 1, interval '1 day') d
      WHERE extract(isodow FROM d) < 6
    ),
    people AS (
      SELECT user_id, hourly_rate, row_number() OVER (ORDER BY user_id) AS n
      FROM memberships WHERE organization_id = ${orgId} AND status = 'active'
    ),
    blocks AS (
      SELECT p.user_id, p.hourly_rate AS member_rate, p.n, days.day, slot,
        (30 + floor(random() * 19) * 5)::integer AS minutes,
        (floor(random() * 4) * 5 + CASE WHEN slot = 3 THEN 30 ELSE 0 END)::integer AS pause,
        random() AS pick, random() < 0.92 AS worked
      FROM people p CROSS JOIN days CROSS JOIN generate_series(1, 6) slot
    ),
    placed AS (
      SELECT *, coalesce(sum(minutes + pause) OVER (PARTITION BY user_id, day ORDER BY slot
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::integer + (n::integer * 7) % 30 AS offset_minutes
      FROM blocks
    ),
    chosen AS (
      SELECT b.*, ${start} AS start_at, pr.id AS project_id, pr.billable AS project_billable,
        pr.hourly_rate AS project_rate,
        CASE WHEN random() < 0.03 THEN 16000 END AS entry_rate
      FROM placed b CROSS JOIN s
      LEFT JOIN LATERAL (
        SELECT id, billable, hourly_rate FROM projects
        WHERE organization_id = ${orgId} AND (status = 'active' OR b.day < current_date - 180)
        ORDER BY (hashtext(id || b.n::text) + floor(b.pick * 3)::integer) % 5, id
        LIMIT 1
      ) pr ON b.pick < 0.93
      WHERE b.worked
    )
    INSERT INTO time_entries (id, organization_id, user_id, project_id, task_id, description,
      start_at, end_at, billable, hourly_rate, billable_rate, created_at, updated_at)
    SELECT ${sqlId("timeEntry", epochMillis(sql`c.start_at`))}, ${orgId}, c.user_id, c.project_id,
      CASE WHEN c.project_id IS NOT NULL AND random() < 0.75 THEN (
        SELECT t.id FROM tasks t WHERE t.organization_id = ${orgId} AND t.project_id = c.project_id
        ORDER BY md5(t.id || c.start_at::text) LIMIT 1) END,
      (${DESCRIPTIONS}::text[])[1 + floor(random() * ${DESCRIPTIONS.length})::integer],
      c.start_at, c.start_at + make_interval(mins => c.minutes),
      coalesce(c.project_billable, false) AND random() < 0.9,
      c.entry_rate,
      coalesce(c.entry_rate, c.project_rate, c.member_rate, s.default_hourly_rate),
      c.start_at + make_interval(mins => c.minutes), c.start_at + make_interval(mins => c.minutes)
    FROM chosen c CROSS JOIN s
    ORDER BY c.start_at`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** About a third of the entries get one tag, a tenth of those a second one. */
async function tagSomeEntries(db: Db, orgId: string): Promise<void> {
  await sql`
    WITH tag_list AS (SELECT array_agg(id ORDER BY id) AS ids FROM tags WHERE organization_id = ${orgId}),
    picked AS (
      SELECT te.id, random() AS r FROM time_entries te WHERE te.organization_id = ${orgId}
    )
    INSERT INTO time_entry_tags (organization_id, time_entry_id, tag_id)
    SELECT DISTINCT ${orgId}, p.id, tag_list.ids[1 + ((abs(hashtext(p.id)) + k) % cardinality(tag_list.ids))]
    FROM picked p CROSS JOIN tag_list CROSS JOIN generate_series(0, 1) k
    WHERE p.r < 0.33 AND (k = 0 OR p.r < 0.033)`.execute(db);
}
