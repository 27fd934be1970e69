import type { Authenticator, Principal } from "../../platform/auth/authenticator.js";
import { expandScope, isScope, type Scope, scopesBeyondRole } from "../../platform/auth/scopes.js";
import { hashSecret, newApiKeySecret } from "../../platform/auth/secrets.js";
import { checkPrecondition } from "../../platform/conditional.js";
import type { Db } from "../../platform/db/connection.js";
import { ConflictError, ForbiddenError, ValidationError } from "../../platform/errors.js";
import { recordChange } from "../../platform/events.js";
import { newId } from "../../platform/ids.js";
import { pageWindow, paginationBlock } from "../../platform/pagination.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { apiKeyStatus, toApiKey } from "./format.js";
import type { ApiKeyMode, ApiKeyWithSecret, CreateApiKeyBody, ListApiKeysQuery } from "./schemas.js";
import { type ApiKeyStore, createApiKeyStore } from "./store.js";

// `vlt_live_` (or `vlt_test_`) and 4 characters: enough to recognise a key in a list, far too
// little to guess it.
const PREFIX_LENGTH = 13;

/** SPEC §3 roles: owners and admins manage every key of the organization, others only their own. */
const managesAllKeys = (principal: Principal) => principal.role === "owner" || principal.role === "admin";

function newSecret(mode: ApiKeyMode) {
  const secret = newApiKeySecret(mode);
  return {
    secret,
    secretHash: hashSecret(secret),
    prefix: secret.slice(0, PREFIX_LENGTH),
    last4: secret.slice(-4),
  };
}

export function createApiKeyService(deps: { db: Db; authenticator: Authenticator }) {
  const { db, authenticator } = deps;

  /** The key if the caller may manage it: 404/403 for other organizations, 403 for others' keys. */
  async function findManageable(
    conn: Db,
    store: ApiKeyStore,
    ctx: OrgContext,
    principal: Principal,
    id: string,
    options: { forUpdate?: boolean } = {},
  ) {
    const row = await store.find(ctx, id, options);
    if (!row) return notFoundOrForeign(conn, ctx, "api_keys", "id", id, "API key");
    if (row.created_by !== principal.user.id && !managesAllKeys(principal)) {
      throw new ForbiddenError("You can only see and manage the API keys you created", {
        reason: "not_owner",
      });
    }
    return row;
  }

  /** A key never holds more than its creator's role allows, nor more than the key creating it. */
  function checkScopes(principal: Principal, scopes: Scope[]) {
    const beyondRole = scopesBeyondRole(principal.role, scopes);
    if (beyondRole.length > 0) {
      throw new ForbiddenError(`Your role (${principal.role}) cannot grant: ${beyondRole.join(", ")}`, {
        reason: "scope_exceeds_role",
        scopes: beyondRole,
      });
    }
    // A user token holds its role; an API key or an app's OAuth token only its own scopes.
    if (principal.kind !== "user_token") checkWithinCredential(principal, scopes);
  }

  /** An API key cannot hand out (by creating or rolling) a key with scopes it does not hold itself. */
  function checkWithinCredential(principal: Principal, scopes: Scope[]) {
    const beyond = scopes.filter((scope) => expandScope(scope).some((s) => !principal.allowed.has(s)));
    if (beyond.length > 0) {
      throw new ForbiddenError(
        `This credential cannot hand out scopes it does not hold: ${beyond.join(", ")}`,
        {
          reason: "scope_exceeds_credential",
          scopes: beyond,
        },
      );
    }
  }

  return {
    async create(ctx: OrgContext, principal: Principal, body: CreateApiKeyBody): Promise<ApiKeyWithSecret> {
      const expiresAt = body.expires_at ? new Date(body.expires_at) : null;
      if (expiresAt && expiresAt.getTime() <= Date.now()) {
        throw new ValidationError("expires_at", "expires_at must be in the future", "in_past");
      }
      checkScopes(principal, body.scopes);
      const mode = body.mode ?? "live";
      const { secret, ...stored } = newSecret(mode);
      return db.transaction().execute(async (trx) => {
        const row = await createApiKeyStore(trx).insert(ctx, {
          id: newId("apiKey"),
          createdBy: principal.user.id,
          name: body.name,
          mode,
          scopes: body.scopes,
          expiresAt,
          ...stored,
        });
        const key = toApiKey(row);
        // Events and the audit trail carry the key as toApiKey shows it: never the secret or its hash.
        await recordChange(trx, ctx, principal, "api_key.created", key);
        return { ...key, secret };
      });
    },

    async list(ctx: OrgContext, principal: Principal, query: ListApiKeysQuery) {
      const window = pageWindow(query);
      const filter = {
        status: query.status,
        mode: query.mode,
        createdBy: managesAllKeys(principal) ? undefined : principal.user.id,
      };
      const { rows, total } = await createApiKeyStore(db).list(ctx, filter, window);
      return { items: rows.map(toApiKey), pagination: paginationBlock(window, total) };
    },

    async get(ctx: OrgContext, principal: Principal, id: string) {
      return toApiKey(await findManageable(db, createApiKeyStore(db), ctx, principal, id));
    },

    /** Idempotent; this process refuses the key at once, the others within 1 s (SPEC §1). */
    async revoke(ctx: OrgContext, principal: Principal, id: string): Promise<void> {
      const revoked = await db.transaction().execute(async (trx) => {
        const store = createApiKeyStore(trx);
        const row = await findManageable(trx, store, ctx, principal, id, { forUpdate: true });
        checkPrecondition(ctx, toApiKey(row));
        const revokedRow = !row.revoked_at && (await store.revoke(ctx, id));
        if (!revokedRow) return false;
        await recordChange(trx, ctx, principal, "api_key.revoked", toApiKey(revokedRow));
        return true;
      });
      if (revoked) authenticator.forget();
    },

    /** A new secret for the same key; the old one works for `graceSeconds` more (0: stops now). */
    async roll(ctx: OrgContext, principal: Principal, id: string, graceSeconds: number) {
      const result = await db.transaction().execute(async (trx) => {
        const store = createApiKeyStore(trx);
        const row = await findManageable(trx, store, ctx, principal, id, { forUpdate: true });
        const status = apiKeyStatus(row);
        if (status !== "active") {
          throw new ConflictError(`A ${status} API key cannot be rolled; create a new one`, status);
        }
        // SPEC §3: a roll hands out a working secret, so it is the creator's alone (an admin may
        // revoke anyone's key, never obtain it), and never more than the rolling credential holds.
        if (row.created_by !== principal.user.id) {
          throw new ForbiddenError("Only the user who created an API key may roll it; admins may revoke it", {
            reason: "not_creator",
          });
        }
        checkWithinCredential(principal, row.scopes.filter(isScope));
        const { secret, ...stored } = newSecret(row.mode);
        const rolled = toApiKey(await store.rollSecret(ctx, id, { ...stored, graceSeconds }));
        await recordChange(trx, ctx, principal, "api_key.rolled", rolled);
        return { ...rolled, secret };
      });
      authenticator.forget();
      return result;
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
