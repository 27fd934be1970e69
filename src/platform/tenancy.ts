import { sql } from "kysely";
import type { Db } from "./db/connection.js";
import type { Database } from "./db/schema.js";
import { ForbiddenError, NotFoundError } from "./errors.js";

declare const orgContextBrand: unique symbol;

/** RFC 9110 If-Match: `*` (any current version) or a list of entity tags. */
export type IfMatch = "*" | readonly string[];

/**
 * The organization a piece of work acts for. Every store function takes one as its first
 * argument and filters by `orgId`, so forgetting tenancy is a type error. Only three functions
 * make one: `orgContextOf` (from an authenticated principal), `systemOrgContext` (for work
 * that starts without a request, such as registration or background jobs) and `twinContextOf`
 * (a request of a live organization acting on its own sandbox twin).
 *
 * Data access without one is limited to work that exists before or across organizations, each
 * in a file of its own: `platform/auth/identity-store.ts` (a credential becomes a principal before
 * any organization is known), the queue claims that hand out rows of every organization
 * (`features/webhooks/queue-store.ts`, `createJobQueue` in `features/jobs/store.ts`; each claimed
 * row then runs under `systemOrgContext` of its own organization), the request log's batched
 * writes (`platform/request-log.ts`, each row with its request's organization), retention
 * (`features/logs/retention.ts`, which deletes by age only) and the daily sandbox reset's claim
 * (`claimDueTwin` in `features/sandbox/store.ts`, which hands out one twin to reset under its own
 * context) and the OAuth protocol's rows (`features/oauth/protocol-store.ts`: a client id, an
 * authorization request, a code or a token is found by its own key before any organization is
 * known, and a deleted app's consents end wherever they were given).
 */
export interface OrgContext {
  readonly orgId: string;
  /**
   * The request acting, when there is one: audit entries name its credential and request id, and
   * a write checks the request's `If-Match` against the resource it locked (conditional.ts).
   */
  readonly via?: {
    readonly apiKeyId: string | null;
    readonly requestId: string;
    readonly ifMatch?: IfMatch;
  };
  readonly [orgContextBrand]: true;
}

export function orgContextOf(
  principal: { organization: { id: string }; kind: string; credentialId: string },
  requestId: string,
): OrgContext {
  const apiKeyId = principal.kind === "api_key" ? principal.credentialId : null;
  return { orgId: principal.organization.id, via: { apiKeyId, requestId } } as OrgContext;
}

/** The same context, carrying the request's If-Match precondition for the write it makes. */
export function withPrecondition(ctx: OrgContext, ifMatch: IfMatch): OrgContext {
  return { ...ctx, via: { apiKeyId: null, requestId: "", ...ctx.via, ifMatch } } as OrgContext;
}

/** For code paths with no caller to take the organization from; the name makes them easy to audit. */
export function systemOrgContext(orgId: string): OrgContext {
  return { orgId } as OrgContext;
}

/**
 * The same request acting on its organization's sandbox twin (SPEC §8): a live credential resetting
 * the sandbox. The caller found `twinId` as the twin of `ctx`'s organization; the audit entries
 * written there still name the request.
 */
export function twinContextOf(ctx: OrgContext, twinId: string): OrgContext {
  return { ...ctx, orgId: twinId } as OrgContext;
}

type OrgOwnedTable = {
  [T in keyof Database]: Database[T] extends { organization_id: string } ? T : never;
}[keyof Database];

/**
 * Turns "not found in this organization" into the right answer: 403 `FORBIDDEN` when the id
 * exists in another organization (SPEC §3, seed 001), 404 otherwise. Only a boolean crosses the
 * tenant boundary; never a row.
 */
export async function notFoundOrForeign(
  db: Db,
  ctx: OrgContext,
  table: OrgOwnedTable,
  idColumn: string,
  id: string,
  resource: string,
): Promise<never> {
  const result = await sql<{ foreign: boolean }>`
    SELECT EXISTS (
      SELECT 1 FROM ${sql.table(table)}
      WHERE ${sql.ref(idColumn)} = ${id} AND organization_id <> ${ctx.orgId}
    ) AS foreign`.execute(db);
  if (result.rows[0]?.foreign) {
    throw new ForbiddenError(`This ${resource} belongs to another organization`, {
      reason: "foreign_organization",
    });
  }
  throw new NotFoundError(resource, id);
}
