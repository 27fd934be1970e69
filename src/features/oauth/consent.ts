import type { Db } from "../../platform/db/connection.js";
import { recordChange } from "../../platform/events.js";
import { newId } from "../../platform/ids.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { toOAuthGrant } from "./format.js";
import { createOAuthStore } from "./store.js";

/**
 * A person approved an app in an organization: their consent is remembered there until revoked,
 * covering every scope they ever granted it (a later, narrower request does not shrink it). Runs
 * in the approval's transaction; returns the grant the code belongs to.
 */
export async function recordConsent(
  trx: Db,
  ctx: OrgContext,
  consent: { appId: string; userId: string; scopes: string[] },
): Promise<string> {
  const store = createOAuthStore(trx);
  const announce = async (name: string, id: string) => {
    const row = await store.findGrant(ctx, id);
    if (!row) throw new Error(`grant ${id} vanished inside its transaction`);
    await recordChange(trx, ctx, { user: { id: consent.userId } }, name, toOAuthGrant(row));
  };
  const existing = await store.findActiveGrantForUpdate(ctx, consent.appId, consent.userId);
  if (!existing) {
    const id = newId("oauthGrant");
    await store.insertGrant(ctx, { id, ...consent });
    await announce("oauth_grant.created", id);
    return id;
  }
  const added = consent.scopes.filter((scope) => !existing.scopes.includes(scope));
  if (added.length > 0) {
    await store.widenGrant(ctx, existing.id, [...existing.scopes, ...added]);
    await announce("oauth_grant.updated", existing.id);
  }
  return existing.id;
}
