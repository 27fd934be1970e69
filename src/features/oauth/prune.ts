import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";

/** Expired codes are kept a day longer: a replay within it still ends what the code issued. */
const CODE_KEPT_MS = 86_400_000;

/**
 * One bounded round of deleting what OAuth no longer needs: authorization requests nobody decided
 * in time (anyone can make one, so they must not pile up), codes a day past their expiry, and
 * expired tokens. Returns how many rows went (at most `limit` per table); the retention job
 * (features/logs/retention.ts) repeats it until a round comes back short. By age only, across
 * organizations.
 */
export async function pruneExpiredOAuthRound(db: Db, now: Date, limit: number): Promise<number> {
  const codeCutoff = new Date(now.getTime() - CODE_KEPT_MS);
  const counts = await Promise.all([
    sql`DELETE FROM oauth_authorization_requests WHERE id IN (
          SELECT id FROM oauth_authorization_requests WHERE expires_at < ${now} LIMIT ${limit})`.execute(db),
    sql`DELETE FROM oauth_authorization_codes WHERE code_hash IN (
          SELECT code_hash FROM oauth_authorization_codes WHERE expires_at < ${codeCutoff} LIMIT ${limit})`.execute(
      db,
    ),
    sql`DELETE FROM oauth_tokens WHERE token_hash IN (
          SELECT token_hash FROM oauth_tokens WHERE expires_at < ${now} LIMIT ${limit})`.execute(db),
  ]);
  return counts.reduce((sum, result) => sum + Number(result.numAffectedRows ?? 0), 0);
}
