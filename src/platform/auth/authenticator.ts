import type { Role } from "../db/schema.js";
import { ForbiddenError, UnauthorizedError } from "../errors.js";
import { createBoundedAgeCache } from "./bounded-age-cache.js";
import type { CredentialRecord, IdentityStore } from "./identity-store.js";
import { effectiveScopes, type FineScope, isScope, roleScopes, type Scope } from "./scopes.js";
import { credentialKind, hashSecret } from "./secrets.js";

/** Who is calling, for which organization, allowed to do what. Set on every authenticated request. */
export interface Principal {
  kind: "api_key" | "user_token";
  /** `key_…` for an API key, `ses_…` for a user session. */
  credentialId: string;
  user: { id: string; email: string; name: string };
  organization: { id: string; name: string; plan: string };
  role: Role;
  /** As granted: the key's scopes, or the role's for a user token. */
  scopes: Scope[];
  /** The fine scopes the credential may use right now. */
  allowed: ReadonlySet<FineScope>;
}

// SPEC §1/§3: a revoked key or ended session is refused within 1 s on every process.
const CACHE = { freshMs: 250, maxAgeMs: 900, maxEntries: 50_000 };
const USAGE_FLUSH_MS = 5_000;

export function createAuthenticator(
  identity: IdentityStore,
  options: { platformAdmins?: readonly string[] } = {},
) {
  const platformAdmins = new Set(options.platformAdmins ?? []);
  const credentials = createBoundedAgeCache(async (kindAndHash: string) => {
    const [kind, hash] = kindAndHash.split(" ") as [string, string];
    const record =
      kind === "api_key" ? await identity.findApiKey(hash) : await identity.findAccessToken(hash);
    return record && toPrincipal(record);
  }, CACHE);
  const memberships = createBoundedAgeCache(async (userAndOrg: string) => {
    const [userId, orgId] = userAndOrg.split(" ") as [string, string];
    return identity.findMembership(userId, orgId);
  }, CACHE);

  const lastUsed = new Map<string, Date>();
  const flushTimer = setInterval(() => void flushUsage().catch(() => {}), USAGE_FLUSH_MS);
  flushTimer.unref();

  async function flushUsage(): Promise<void> {
    const usage = [...lastUsed].map(([keyId, usedAt]) => ({ keyId, usedAt }));
    lastUsed.clear();
    try {
      await identity.touchApiKeys(usage);
    } catch (error) {
      // Put them back (unless a newer use arrived meanwhile) for the next flush to retry.
      for (const { keyId, usedAt } of usage) if (!lastUsed.has(keyId)) lastUsed.set(keyId, usedAt);
      throw error;
    }
  }

  return {
    /** SPEC §2: every failure here is 401 `UNAUTHORIZED`, with `details.reason` telling which. */
    async authenticate(header: string | undefined): Promise<Principal> {
      if (!header) throw new UnauthorizedError("Missing Authorization header", "missing_credentials");
      const [scheme, token, ...rest] = header.split(" ");
      if (scheme?.toLowerCase() !== "bearer" || !token || rest.length > 0) {
        throw new UnauthorizedError(
          'Authorization header must be "Bearer <token>": the Bearer prefix is missing',
          "missing_bearer_prefix",
        );
      }
      const kind = credentialKind(token);
      if (kind === null || kind === "refresh_token") {
        throw new UnauthorizedError(
          "Malformed token: expected an API key (vlt_live_…) or an access token",
          "malformed_token",
        );
      }
      const entry = await credentials.get(`${kind} ${hashSecret(token)}`);
      if (!entry) throw new UnauthorizedError("Invalid or missing authentication token", "invalid_token");
      const { principal, expiresAt, revokedAt, active } = entry;
      if (revokedAt) {
        throw new UnauthorizedError(
          principal.kind === "api_key" ? "This API key has been revoked" : "This session has ended",
          "revoked_token",
        );
      }
      if (expiresAt && expiresAt.getTime() <= Date.now()) {
        throw new UnauthorizedError(
          principal.kind === "api_key" ? "This API key has expired" : "This access token has expired",
          "expired_token",
        );
      }
      if (!active) throw new UnauthorizedError("This member has been deactivated", "deactivated_member");
      if (principal.kind === "api_key") lastUsed.set(principal.credentialId, new Date());
      return principal;
    },

    /**
     * SPEC §3: `X-Organization-ID` switches a user token to another organization the user is an
     * active member of; an API key belongs to one organization only.
     */
    async switchOrganization(principal: Principal, orgId: string): Promise<Principal> {
      if (orgId === principal.organization.id) return principal;
      const refuse = () =>
        new ForbiddenError("X-Organization-ID names an organization this credential cannot act for", {
          reason: "organization_not_allowed",
          field: "X-Organization-ID",
        });
      if (principal.kind !== "user_token") throw refuse();
      let membership = await memberships.get(`${principal.user.id} ${orgId}`);
      if (membership?.membershipStatus !== "active" && platformAdmins.has(principal.user.id)) {
        // A platform admin acts in any organization as its admin (not owner: plan and deletion stay the owner's).
        const organization = await identity.findOrganization(orgId);
        membership = organization && { organization, role: "admin", membershipStatus: "active" };
      }
      if (membership?.membershipStatus !== "active") throw refuse();
      return {
        ...principal,
        organization: membership.organization,
        role: membership.role,
        scopes: roleScopes(membership.role),
        allowed: effectiveScopes(roleScopes(membership.role), membership.role),
      };
    },

    /** After a local revocation or role change, so this process sees it at once. */
    forget(): void {
      credentials.clear();
      memberships.clear();
    },

    async close(): Promise<void> {
      clearInterval(flushTimer);
      await flushUsage();
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;

function toPrincipal(record: CredentialRecord) {
  const scopes = record.scopes ? record.scopes.filter(isScope) : roleScopes(record.role);
  const principal: Principal = {
    kind: record.kind,
    credentialId: record.credentialId,
    user: record.user,
    organization: record.organization,
    role: record.role,
    scopes,
    allowed: effectiveScopes(scopes, record.role),
  };
  return {
    principal,
    expiresAt: record.expiresAt,
    revokedAt: record.revokedAt,
    active: record.membershipStatus === "active",
  };
}
