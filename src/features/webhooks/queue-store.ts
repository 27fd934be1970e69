import { sql } from "kysely";
import type { Db } from "../../platform/db/connection.js";
import { claimWithFreshPlan } from "../../platform/db/queue-claim.js";
import { newId } from "../../platform/ids.js";

/**
 * The delivery queue as the worker sees it. Unlike store.ts these statements span organizations:
 * one worker serves every tenant, and each row it touches carries its own organization_id, which
 * the attempts it writes copy and the events it records are scoped to.
 */

export interface ClaimedDelivery {
  id: string;
  organization_id: string;
  webhook_id: string;
  event_id: string;
  payload: string;
  /** This attempt's number: the count after the claim. */
  attempts: number;
  url: string;
  enabled: boolean;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
}

export interface DeliveryOutcome {
  deliveryId: string;
  organizationId: string;
  webhookId: string;
  attempt: number;
  /** Absent when nothing was sent (the webhook was disabled): no attempt row, no failing state. */
  sent?: {
    ok: boolean;
    statusCode: number | null;
    durationMs: number;
    error: string | null;
    responseExcerpt: string | null;
    attemptedAt: Date;
  };
  status: "pending" | "succeeded" | "failed";
  nextAttemptAt: Date | null;
  completedAt: Date | null;
  error: string | null;
}

/** Whether any of a batch's attempts to the webhook succeeded. */
export interface WebhookResult {
  webhookId: string;
  succeeded: boolean;
}

/**
 * A time in an array parameter, as text: postgres.js types an array by its first element, and
 * would declare an array of Dates a single timestamptz.
 */
const iso = (at: Date | null) => at?.toISOString() ?? null;

export function createQueueStore(db: Db) {
  return {
    /**
     * Claims up to `total` due deliveries in one statement: rows other workers hold are skipped,
     * and the lease (`locked_until`) hands a row to another worker if this one dies mid-send.
     * The webhook is read in the same statement, so a disable or a rotation is seen at once.
     *
     * Each endpoint gives at most its share of its oldest due rows: `perWebhook`, or what
     * `shares` says for it (less for one with sends in flight, 0 for one that has enough), so
     * that one endpoint with a backlog, or one that hangs until the timeout, cannot take every
     * sending slot. Of those, the oldest `total` are taken.
     */
    async claim(
      now: Date,
      leaseMs: number,
      limits: { total: number; perWebhook: number; shares?: ReadonlyMap<string, number> },
    ): Promise<ClaimedDelivery[]> {
      const lease = new Date(now.getTime() + leaseMs);
      const shares = [...(limits.shares ?? [])];
      // Endpoints are listed by skipping through the (webhook_id, next_attempt_at) index, one probe
      // per endpoint with pending rows, and each endpoint's rows are read from its own part of it:
      // the cost follows the number of endpoints, not the backlog. Walking the due index in time
      // order instead read every row of an endpoint whose share was 0 (11 ms over 20,000 rows) to
      // find the rows behind them.
      const claim = sql<ClaimedDelivery>`
        WITH RECURSIVE endpoints(webhook_id) AS (
          (SELECT webhook_id FROM webhook_deliveries WHERE status = 'pending'
           ORDER BY webhook_id LIMIT 1)
          UNION ALL
          SELECT (SELECT d.webhook_id FROM webhook_deliveries d
                  WHERE d.status = 'pending' AND d.webhook_id > e.webhook_id
                  ORDER BY d.webhook_id LIMIT 1)
          FROM endpoints e WHERE e.webhook_id IS NOT NULL
        ), shares AS (
          SELECT e.webhook_id, COALESCE(s.share, ${limits.perWebhook}::int) AS share
          FROM endpoints e
          LEFT JOIN unnest(${shares.map(([id]) => id)}::text[], ${shares.map(([, n]) => n)}::int[])
            AS s(webhook_id, share) USING (webhook_id)
          WHERE e.webhook_id IS NOT NULL
        ), chosen AS (
          SELECT c.id FROM shares s
          CROSS JOIN LATERAL (
            SELECT d.id, d.next_attempt_at FROM webhook_deliveries d
            WHERE d.webhook_id = s.webhook_id AND d.status = 'pending' AND d.next_attempt_at <= ${now}
              AND (d.locked_until IS NULL OR d.locked_until < ${now})
            ORDER BY d.next_attempt_at LIMIT s.share
          ) AS c
          WHERE s.share > 0
          ORDER BY c.next_attempt_at LIMIT ${limits.total}
        ), due AS (
          -- Locked row by row once chosen, so that a row another claim holds is skipped rather
          -- than waited for (that claim then takes fewer).
          SELECT l.id FROM chosen
          CROSS JOIN LATERAL (
            SELECT d.id FROM webhook_deliveries d
            WHERE d.id = chosen.id AND d.status = 'pending'
              AND (d.locked_until IS NULL OR d.locked_until < ${now})
            FOR UPDATE SKIP LOCKED
          ) AS l
        )
        -- The locked ids as an array, so that the rows are fetched by primary key: joined to the
        -- CTE, estimated at the full total, they were hashed against a scan of the whole table
        -- (8 of a claim's 9 ms over 20,000 rows, growing with every finished delivery kept).
        UPDATE webhook_deliveries d
        SET locked_until = ${lease},
            attempts = d.attempts + CASE WHEN w.enabled THEN 1 ELSE 0 END
        FROM webhooks w
        WHERE d.id = ANY (ARRAY(SELECT id FROM due)) AND w.id = d.webhook_id
        RETURNING d.id, d.organization_id, d.webhook_id, d.event_id, d.payload, d.attempts,
          w.url, w.enabled, w.secret, w.previous_secret, w.previous_secret_expires_at`;
      return claimWithFreshPlan(db, claim);
    },

    /**
     * A batch of outcomes in one statement: each webhook's run of failures started or ended, then
     * every delivery's new state, then an attempt row for each delivery written. Only deliveries
     * still held by this claim are written: one deleted with its webhook meanwhile, or re-claimed
     * after this worker's lease ran out, is left alone, and gets no attempt row. Values travel as
     * one array per column, so that every batch size runs the same prepared statement.
     */
    async record(outcomes: DeliveryOutcome[], results: WebhookResult[], at: Date) {
      if (outcomes.length === 0) return;
      const sent = outcomes.flatMap((o) => (o.sent ? [{ ...o, sent: o.sent }] : []));
      const working = results.filter((r) => r.succeeded).map((r) => r.webhookId);
      const failing = results.filter((r) => !r.succeeded).map((r) => r.webhookId);
      await sql`
        WITH failing_state AS (
          -- Only changes are written, so a healthy endpoint's row is not rewritten on every batch.
          UPDATE webhooks w
          SET failing_since = CASE WHEN w.id = ANY (${working}::text[]) THEN NULL ELSE ${at}::timestamptz END
          WHERE (w.id = ANY (${working}::text[]) AND w.failing_since IS NOT NULL)
            OR (w.id = ANY (${failing}::text[]) AND w.failing_since IS NULL)
          RETURNING w.id
        ), recorded AS (
          UPDATE webhook_deliveries d
          SET status = v.status, next_attempt_at = v.next_attempt_at, locked_until = NULL,
              last_status_code = COALESCE(v.status_code, d.last_status_code),
              last_error = v.error, completed_at = v.completed_at
          FROM unnest(${outcomes.map((o) => o.deliveryId)}::text[], ${outcomes.map((o) => o.attempt)}::int[],
              ${outcomes.map((o) => o.status)}::text[], ${outcomes.map((o) => iso(o.nextAttemptAt))}::timestamptz[],
              ${outcomes.map((o) => o.sent?.statusCode ?? null)}::int[], ${outcomes.map((o) => o.error)}::text[],
              ${outcomes.map((o) => iso(o.completedAt))}::timestamptz[])
            AS v(id, attempt, status, next_attempt_at, status_code, error, completed_at)
          WHERE d.id = v.id AND d.attempts = v.attempt AND d.status = 'pending'
            -- Read first, so that webhook rows are locked before delivery rows: the order in
            -- which PATCH and DELETE lock them too, so that neither can deadlock with a batch.
            AND (SELECT count(*) FROM failing_state) >= 0
          RETURNING d.id
        )
        INSERT INTO webhook_attempts (id, organization_id, delivery_id, attempt, status_code, duration_ms,
          error, response_excerpt, attempted_at)
        SELECT a.* FROM unnest(${sent.map(() => newId("attempt"))}::text[], ${sent.map((o) => o.organizationId)}::text[],
            ${sent.map((o) => o.deliveryId)}::text[], ${sent.map((o) => o.attempt)}::int[],
            ${sent.map((o) => o.sent.statusCode)}::int[],
            ${sent.map((o) => Math.max(0, Math.round(o.sent.durationMs)))}::int[],
            ${sent.map((o) => o.sent.error)}::text[], ${sent.map((o) => o.sent.responseExcerpt)}::text[],
            ${sent.map((o) => iso(o.sent.attemptedAt))}::timestamptz[])
          AS a(id, organization_id, delivery_id, attempt, status_code, duration_ms, error, response_excerpt,
            attempted_at)
        WHERE a.delivery_id IN (SELECT id FROM recorded)`.execute(db);
    },

    /** Disables those of the webhooks that have been failing since `before` or earlier. */
    disableFailing(webhookIds: string[], before: Date) {
      if (webhookIds.length === 0) return Promise.resolve([]);
      return db
        .updateTable("webhooks")
        .set({ enabled: false, disabled_reason: "failing", updated_at: sql`now()` })
        .where("id", "in", webhookIds)
        .where("enabled", "=", true)
        .where("failing_since", "<=", before)
        .returningAll()
        .execute();
    },
  };
}

export type QueueStore = ReturnType<typeof createQueueStore>;
