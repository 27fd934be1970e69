import { type RawBuilder, sql } from "kysely";
import type { Db } from "./connection.js";
import { UNPREPARED } from "./dialect.js";

/**
 * Runs a queue claim with a plan made for the rows queued now. Statements are prepared (see
 * dialect.ts), and PostgreSQL may switch a prepared statement to a generic plan costed while the
 * queue was idle: that made a webhook claim over a backlog of 20,000 take 1.3 s instead of 5 ms.
 * Sent unprepared, the claim is planned for its values every time, in two round trips:
 * postgres.js describes an unprepared statement with parameters before binding it (a transaction
 * setting plan_cache_mode took four, and claims are on the delivery path).
 */
export async function claimWithFreshPlan<Row>(db: Db, claim: RawBuilder<Row>): Promise<Row[]> {
  return (await sql<Row>`${sql.raw(UNPREPARED)} ${claim}`.execute(db)).rows;
}
