import { type Kysely, sql } from "kysely";

/**
 * Imports are safe to repeat (issue 16): each imported row leaves its fingerprint (a hash of
 * the source and the row's content), and a row whose fingerprint the organization already has
 * is skipped. A fingerprint lives as long as the entry it made: deleting the entry lets the
 * row be imported again.
 *
 * Import jobs finished before this migration get the result and params fields that imports
 * have from now on, so that every stored job still matches the API's schema.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE import_fingerprints (
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      fingerprint text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
      time_entry_id text NOT NULL,
      -- The import that wrote the entry; jobs are not referenced, so the row outlives its job.
      job_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (organization_id, fingerprint),
      FOREIGN KEY (organization_id, time_entry_id) REFERENCES time_entries (organization_id, id)
        ON DELETE CASCADE
    );
    -- Deleting an entry finds its fingerprint by this index.
    CREATE INDEX import_fingerprints_entry_idx ON import_fingerprints (organization_id, time_entry_id);

    UPDATE jobs SET params = jsonb_build_object('source', 'voltasis', 'unknown_people', 'report',
        'dry_run', false) || params
      WHERE type = 'import.time_entries';
    UPDATE jobs SET result = jsonb_build_object('source', 'voltasis', 'dry_run', false,
        'date_format', null, 'rows_skipped', 0, 'rates_dropped', 0,
        'created', jsonb_build_object('clients', 0, 'projects', 0, 'tasks', 0, 'tags', 0)) || result
      WHERE type = 'import.time_entries' AND jsonb_typeof(result) = 'object';
  `.execute(db);
}
