import { type Kysely, sql } from "kysely";

/**
 * SPEC §8 idempotency: the first response to a POST or PATCH sent with an `Idempotency-Key` is
 * kept 24 hours per organization, credential and key, so a retry gets it back instead of doing
 * the work twice. In PostgreSQL, so it holds across processes and restarts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE idempotency_keys (
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      credential_id text NOT NULL,
      key text NOT NULL,
      method text NOT NULL,
      path text NOT NULL,
      -- SHA-256 of the request body: the same key with another body is a client bug (422).
      fingerprint text NOT NULL,
      -- running while the first request is served; done once its response is stored.
      status text NOT NULL CHECK (status IN ('running', 'done')),
      -- A running claim whose process died is taken over after this.
      locked_until timestamptz NOT NULL,
      response_status integer,
      response_headers jsonb,
      response_body text,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (organization_id, credential_id, key)
    );
    CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);
  `.execute(db);
}
