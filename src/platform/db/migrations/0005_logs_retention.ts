import { type Kysely, sql } from "kysely";

/**
 * Retention (src/features/logs/retention.ts) deletes finished webhook deliveries 30 days after
 * they finished, in batches; without this index each batch would scan every delivery, pending
 * ones included. Partial, so the busy queue of pending deliveries does not maintain it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (completed_at)
      WHERE status IN ('succeeded', 'failed')
  `.execute(db);
}
