import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { sql } from "kysely";
import type { Db } from "./db/connection.js";
import { ApiError } from "./errors.js";
import { sha256 } from "./sha256.js";
import { syncHook } from "./sync-hooks.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set when this request holds an idempotency key's claim: its response is kept for retries. */
    idempotencyClaim?: { orgId: string; credentialId: string; key: string };
  }
}

/** draft-ietf-httpapi-idempotency-key-header; SPEC §8: 1–255 printable characters. */
const KEY = /^[\x20-\x7E]{1,255}$/;
const KEPT_MS = 24 * 60 * 60 * 1000;
// A claim whose process died mid-request stops blocking retries after this.
const CLAIM_LEASE_MS = 60_000;
// Headers a replay repeats; the rest (X-Request-ID, rate limits) belong to the retry itself.
const REPLAYED_HEADERS = ["content-type", "location", "etag", "content-disposition"];

interface StoredClaim {
  method: string;
  path: string;
  fingerprint: string;
  status: "running" | "done";
  response_status: number | null;
  response_headers: unknown;
  response_body: string | null;
}

const fingerprintOf = (body: unknown) => sha256(JSON.stringify(body ?? null), "hex");

/**
 * SPEC §8 idempotency keys, for every authenticated POST and PATCH. The first request with a key
 * claims it in PostgreSQL (one statement, so two processes cannot both claim it); its response is
 * stored before it is sent and replayed byte for byte, with `Idempotent-Replayed: true`, to a
 * retry of the same request. The same key with another method, path or body is 422
 * IDEMPOTENCY_KEY_REUSED; a retry while the first is still running is 409 IDEMPOTENCY_KEY_IN_USE.
 * A 5xx is not kept, so a retry after a failure the server caused does the work again. Keys are
 * per organization and credential; expired ones are pruned by retention (features/logs).
 *
 * This runs after validation: a request refused for its shape never claims a key, as at Stripe.
 * Public routes (sign-up, login) have no credential to scope a key to and ignore the header.
 */
export const idempotencyPlugin = fp<{ db: Db }>(
  async (app: FastifyInstance, { db }) => {
    // Most requests carry no key and pass without a promise (issue 15).
    app.addHook(
      "preHandler",
      syncHook((request: FastifyRequest, reply: FastifyReply) => {
        if (request.method !== "POST" && request.method !== "PATCH") return;
        if (request.headers["idempotency-key"] === undefined) return;
        return claimKey(request, reply);
      }),
    );
    app.addHook(
      "onSend",
      (
        request: FastifyRequest,
        reply: FastifyReply,
        payload: unknown,
        done: (error: Error | null, value?: unknown) => void,
      ) => {
        if (!request.idempotencyClaim) return done(null, payload);
        storeResponse(request, reply, payload).then((value) => done(null, value), done);
      },
    );

    async function claimKey(request: FastifyRequest, reply: FastifyReply) {
      const key = request.headers["idempotency-key"];
      if (typeof key !== "string" || !KEY.test(key)) {
        throw new ApiError(
          "VALIDATION_ERROR",
          "Idempotency-Key must be 1 to 255 printable ASCII characters",
          {
            field: "Idempotency-Key",
            reason: "invalid_format",
            location: "headers",
          },
        );
      }
      if (!request.org) return;
      const claim = { orgId: request.org.orgId, credentialId: request.principal.credentialId, key };
      const path = request.url;
      const fingerprint = fingerprintOf(request.body);
      const now = Date.now();
      const claimed = await sql<{ claimed: boolean }>`
        INSERT INTO idempotency_keys AS k
          (organization_id, credential_id, key, method, path, fingerprint, status, locked_until, expires_at)
        VALUES (${claim.orgId}, ${claim.credentialId}, ${key}, ${request.method}, ${path}, ${fingerprint},
          'running', ${new Date(now + CLAIM_LEASE_MS)}, ${new Date(now + KEPT_MS)})
        ON CONFLICT (organization_id, credential_id, key) DO UPDATE SET
          method = excluded.method, path = excluded.path, fingerprint = excluded.fingerprint,
          status = 'running', locked_until = excluded.locked_until, expires_at = excluded.expires_at,
          response_status = NULL, response_headers = NULL, response_body = NULL, created_at = now()
        WHERE k.expires_at <= now() OR (k.status = 'running' AND k.locked_until <= now())
        RETURNING true AS claimed`.execute(db);
      if (claimed.rows.length > 0) {
        request.idempotencyClaim = claim;
        return;
      }
      const stored = await db
        .selectFrom("idempotency_keys")
        .select([
          "method",
          "path",
          "fingerprint",
          "status",
          "response_status",
          "response_headers",
          "response_body",
        ])
        .where("organization_id", "=", claim.orgId)
        .where("credential_id", "=", claim.credentialId)
        .where("key", "=", key)
        .executeTakeFirst();
      // Pruned between the two statements: as good as never seen, but do not race for it.
      if (!stored) throw inUse();
      replayOrRefuse(request, reply, stored as StoredClaim, fingerprint);
    }

    async function storeResponse(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
      const claim = request.idempotencyClaim;
      if (!claim) return payload;
      request.idempotencyClaim = undefined;
      const where = sql`organization_id = ${claim.orgId} AND credential_id = ${claim.credentialId} AND key = ${claim.key}`;
      if (reply.statusCode >= 500 || typeof payload !== "string") {
        await sql`DELETE FROM idempotency_keys WHERE ${where}`.execute(db);
        return payload;
      }
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = reply.getHeader(name);
        if (typeof value === "string") headers[name] = value;
      }
      await sql`
        UPDATE idempotency_keys SET status = 'done', response_status = ${reply.statusCode},
          response_headers = ${JSON.stringify(headers)}::text::jsonb, response_body = ${payload}
        WHERE ${where}`.execute(db);
      return payload;
    }
  },
  { name: "idempotency" },
);

function inUse() {
  return new ApiError(
    "IDEMPOTENCY_KEY_IN_USE",
    "A request with this Idempotency-Key is still being processed; retry once it has finished",
    { reason: "in_progress", retry_after: 1 },
  );
}

function replayOrRefuse(
  request: FastifyRequest,
  reply: FastifyReply,
  stored: StoredClaim,
  fingerprint: string,
) {
  if (stored.method !== request.method || stored.path !== request.url || stored.fingerprint !== fingerprint) {
    throw new ApiError(
      "IDEMPOTENCY_KEY_REUSED",
      "This Idempotency-Key was used for another request (method, path or body); use a new key",
      { reason: "key_reused", field: "Idempotency-Key" },
    );
  }
  if (stored.status === "running") {
    reply.header("Retry-After", "1");
    throw inUse();
  }
  for (const [name, value] of Object.entries((stored.response_headers ?? {}) as Record<string, string>)) {
    reply.header(name, value);
  }
  reply.header("Idempotent-Replayed", "true");
  reply.code(stored.response_status ?? 200).send(stored.response_body ?? "");
}
