import { type RawBuilder, sql } from "kysely";
import type { Db } from "./connection.js";

/**
 * Runs a queue claim with a plan made for the rows queued now. Statements are prepared (see
 * dialect.ts), and PostgreSQL may switch a prepared statement to a generic plan costed while the
 * queue was idle: that made a webhook claim over a backlog of 20,000 take 1.3 s instead of 5 ms.
 */
export function claimWithFreshPlan<Row>(db: Db, claim: RawBuilder<Row>): Promise<Row[]> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL plan_cache_mode = force_custom_plan`.execute(trx);
    return (await claim.execute(trx)).rows;
  });
}
