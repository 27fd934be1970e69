import { type Kysely, sql } from "kysely";

/**
 * Bounded, fair jobs (SPEC §3, the hardening issue):
 * - jobs remember the scopes of the credential that created them (a job runs later, without its
 *   request, and must not do more than that credential could) and which credential it was, for the
 *   per-credential cap on unfinished jobs;
 * - job results are stored as ordered chunks, so an export is written page by page and downloaded
 *   as a stream instead of living in memory as one value.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Null for jobs created before this migration: they run with their creator's role, as before.
    ALTER TABLE jobs ADD COLUMN scopes text[];
    ALTER TABLE jobs ADD COLUMN credential_id text;
    CREATE INDEX jobs_unfinished_credential_idx ON jobs (credential_id)
      WHERE status IN ('queued', 'running');
    CREATE INDEX jobs_claimable_idx ON jobs (organization_id, created_at, id)
      WHERE status IN ('queued', 'running');
    -- Fairness: the organization served least recently goes first.
    CREATE INDEX jobs_org_started_idx ON jobs (organization_id, started_at DESC NULLS LAST);

    CREATE TABLE job_result_chunks (
      job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      -- Written by one attempt; the job's final attempt's chunks are its result.
      attempt integer NOT NULL,
      seq integer NOT NULL,
      data text NOT NULL,
      PRIMARY KEY (job_id, attempt, seq)
    );
    INSERT INTO job_result_chunks (job_id, organization_id, attempt, seq, data)
      SELECT id, organization_id, attempts, 0, result_file FROM jobs WHERE result_file IS NOT NULL;
    ALTER TABLE jobs DROP COLUMN result_file;
  `.execute(db);
}
