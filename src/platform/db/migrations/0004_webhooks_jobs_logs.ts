import { type Kysely, sql } from "kysely";

/**
 * Webhook subscriptions and their delivery queue, background jobs, and the request/audit log.
 * The queues are plain tables worked with `FOR UPDATE SKIP LOCKED` (SPEC §1): a row is written in
 * the same transaction as the change it stems from, and any process may claim it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE webhooks (
      id text PRIMARY KEY,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      url text NOT NULL,
      description text NOT NULL DEFAULT '',
      events text[] NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      -- Why it is off: 'manual' (a user said so) or 'failing' (3 days of failed deliveries).
      disabled_reason text,
      secret text NOT NULL,
      -- After a rotation the old secret signs beside the new one until it expires (24 h).
      previous_secret text,
      previous_secret_expires_at timestamptz,
      -- Start of the current run of failed deliveries; cleared by any success.
      failing_since timestamptz,
      created_by text REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX webhooks_org_idx ON webhooks (organization_id, id);

    -- One event for one endpoint. payload is the exact body, identical on every attempt.
    CREATE TABLE webhook_deliveries (
      id text PRIMARY KEY,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      webhook_id text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
      event_id text NOT NULL,
      event_name text NOT NULL,
      payload text NOT NULL,
      -- pending (queued or waiting for a retry), succeeded, failed (retries exhausted or endpoint off)
      status text NOT NULL DEFAULT 'pending',
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz,
      -- A claim: the worker holding it owns the row until then (a dead worker's claim runs out).
      locked_until timestamptz,
      last_status_code integer,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz
    );
    CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
      WHERE status = 'pending';
    CREATE INDEX webhook_deliveries_webhook_idx
      ON webhook_deliveries (organization_id, webhook_id, created_at DESC, id DESC);

    CREATE TABLE webhook_attempts (
      id text PRIMARY KEY,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      delivery_id text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
      attempt integer NOT NULL,
      status_code integer,
      duration_ms integer NOT NULL,
      error text,
      response_excerpt text,
      attempted_at timestamptz NOT NULL
    );
    CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, attempt);

    CREATE TABLE jobs (
      id text PRIMARY KEY,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      type text NOT NULL,
      params jsonb NOT NULL,
      -- The uploaded file of an import, kept until the job has run.
      input text,
      status text NOT NULL DEFAULT 'queued',
      progress integer NOT NULL DEFAULT 0,
      result jsonb,
      result_file text,
      result_content_type text,
      error jsonb,
      attempts integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      created_by text REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    );
    CREATE INDEX jobs_org_idx ON jobs (organization_id, created_at DESC, id DESC);
    CREATE INDEX jobs_queue_idx ON jobs (created_at) WHERE status IN ('queued', 'running');

    -- The organization's request log and audit trail, in one place for GET /v1/logs.
    CREATE TABLE logs (
      id text PRIMARY KEY,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      kind text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      user_id text,
      api_key_id text,
      -- kind = 'request'
      request_id text,
      method text,
      path text,
      status integer,
      duration_ms real,
      -- kind = 'audit'
      action text,
      resource_type text,
      resource_id text,
      event_id text
    );
    CREATE INDEX logs_org_idx ON logs (organization_id, created_at DESC, id DESC);
    CREATE INDEX logs_created_idx ON logs (created_at);

    CREATE TABLE api_key_usage_daily (
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      api_key_id text NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
      day date NOT NULL,
      requests bigint NOT NULL DEFAULT 0,
      errors bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (api_key_id, day)
    );

    -- Scheduled work that must run once across all processes (retention pruning).
    CREATE TABLE scheduled_runs (
      name text PRIMARY KEY,
      last_run_at timestamptz NOT NULL
    );

    CREATE INDEX events_retention_idx ON events (created_at);
  `.execute(db);
}
