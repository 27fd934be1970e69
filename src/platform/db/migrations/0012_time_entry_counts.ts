import { type Kysely, sql } from "kysely";

/**
 * `pagination.total` of GET /v1/time-entries without a count(*) per request (issue 15): the
 * number of entries per organization and user, kept exact by statement-level triggers in the
 * transaction that writes the entries (create, bulk, import, delete, a reassigned user, a sandbox
 * reset, an organization's deletion). A list filtered by nothing but its user reads one row (or
 * the organization's few); any other filter still counts its rows.
 *
 * Statement-level with transition tables, so a bulk write or an import adds its rows once, in
 * key order (two statements lock the same counters in the same order). A user's concurrent
 * writes queue on that user's counter row until each commits; other users' do not.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE time_entry_counts (
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      user_id text NOT NULL,
      -- No CHECK (entries >= 0): PostgreSQL checks an upsert's proposed row (a move's -1) before
      -- it finds the conflict that turns it into an addition.
      entries bigint NOT NULL,
      PRIMARY KEY (organization_id, user_id)
    );

    CREATE FUNCTION time_entry_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO time_entry_counts AS c (organization_id, user_id, entries)
      SELECT organization_id, user_id, count(*) FROM added
      GROUP BY organization_id, user_id ORDER BY organization_id, user_id
      ON CONFLICT (organization_id, user_id) DO UPDATE SET entries = c.entries + EXCLUDED.entries;
      RETURN NULL;
    END $$;

    -- An update only if the row is there: when an organization is deleted its counters may go
    -- first (their own cascade), and there is nothing left to count then.
    CREATE FUNCTION time_entry_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE time_entry_counts AS c SET entries = c.entries - d.n
      FROM (SELECT organization_id, user_id, count(*) AS n FROM removed
            GROUP BY organization_id, user_id ORDER BY organization_id, user_id) AS d
      WHERE c.organization_id = d.organization_id AND c.user_id = d.user_id;
      RETURN NULL;
    END $$;

    -- An entry given to another user moves from one counter to the other; most updates change
    -- neither column and write nothing here.
    CREATE FUNCTION time_entry_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      WITH moved AS (
        SELECT o.organization_id AS old_org, o.user_id AS old_user,
               n.organization_id AS new_org, n.user_id AS new_user
        FROM removed o JOIN added n ON n.id = o.id
        WHERE o.organization_id <> n.organization_id OR o.user_id <> n.user_id
      ), deltas AS (
        SELECT organization_id, user_id, sum(delta) AS delta FROM (
          SELECT old_org AS organization_id, old_user AS user_id, -1 AS delta FROM moved
          UNION ALL
          SELECT new_org, new_user, 1 FROM moved
        ) AS d GROUP BY organization_id, user_id HAVING sum(delta) <> 0
      )
      INSERT INTO time_entry_counts AS c (organization_id, user_id, entries)
      SELECT organization_id, user_id, delta FROM deltas ORDER BY organization_id, user_id
      ON CONFLICT (organization_id, user_id) DO UPDATE SET entries = c.entries + EXCLUDED.entries;
      RETURN NULL;
    END $$;

    CREATE TRIGGER time_entry_counts_on_insert AFTER INSERT ON time_entries
      REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION time_entry_counts_add();
    CREATE TRIGGER time_entry_counts_on_delete AFTER DELETE ON time_entries
      REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION time_entry_counts_remove();
    CREATE TRIGGER time_entry_counts_on_update AFTER UPDATE ON time_entries
      REFERENCING OLD TABLE AS removed NEW TABLE AS added
      FOR EACH STATEMENT EXECUTE FUNCTION time_entry_counts_move();

    -- Writes wait until the counters hold what is already there.
    LOCK TABLE time_entries IN SHARE MODE;
    INSERT INTO time_entry_counts (organization_id, user_id, entries)
    SELECT organization_id, user_id, count(*) FROM time_entries GROUP BY organization_id, user_id;
  `.execute(db);
}
