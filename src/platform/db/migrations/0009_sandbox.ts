import { type Kysely, sql } from "kysely";

/**
 * The sandbox (SPEC §8): a live organization's test data lives in an organization of its own, its
 * twin, so every tenancy rule that keeps two organizations apart keeps live and test data apart.
 * - `sandbox_of` names the live organization a twin belongs to (null for a live organization); the
 *   unique constraint allows one twin per organization even when two first uses race.
 * - `sandbox_reset_at` is when the twin's demo data was last restored; the daily reset claims the
 *   twins whose reset is older than the last 00:00 UTC.
 * - `sandbox_requested_reset_at` is when someone last asked for a reset: once a minute at most.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE organizations
      ADD COLUMN sandbox_of text UNIQUE REFERENCES organizations (id) ON DELETE CASCADE,
      ADD COLUMN sandbox_reset_at timestamptz,
      ADD COLUMN sandbox_requested_reset_at timestamptz,
      ADD CONSTRAINT organizations_sandbox_check
        CHECK ((sandbox_of IS NULL) = (sandbox_reset_at IS NULL) AND sandbox_of <> id);
    CREATE INDEX organizations_sandbox_reset_idx ON organizations (sandbox_reset_at)
      WHERE sandbox_of IS NOT NULL;
  `.execute(db);
}
