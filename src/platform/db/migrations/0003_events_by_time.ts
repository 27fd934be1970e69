import { type Kysely, sql } from "kysely";

/**
 * `GET /v1/events` orders by (created_at, id) and pages with a keyset cursor on that pair
 * (SPEC §5): this index makes a deep page cost what the first costs, and serves from/to.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX events_created_idx ON events (organization_id, created_at DESC, id DESC)
  `.execute(db);
}
