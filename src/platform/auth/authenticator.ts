import type { Role } from "../db/schema.js";
import { ForbiddenError, UnauthorizedError } from "../errors.js";
import { createBoundedAgeCache } from "./bounded-age-cache.js";
import type { CredentialRecord, IdentityStore, TwinRecord } from "./identity-store.js";
import { effectiveScopes, type FineScope, isScope, roleScopes, type Scope } from "./scopes.js";
import { type CredentialKind, credentialKind, hashSecret } from "./secrets.js";

/** Who is calling, for which organization, allowed to do what. Set on every authenticated request. */
export interface Principal {
  /** `oauth_token`: an access token a third-party app holds for the user (features/oauth). */
  kind: "api_key" | "user_token" | "oauth_token";
  /** `key_…` for an API key, `ses_…` for a user session, `oas_…` for an app's OAuth session. */
  credentialId: string;
  user: { id: string; email: string; name: string };
  /** The organization acted for: the sandbox twin in test mode. */
  organization: { id: string; name: string; plan: string };
  /**
   * `test` on the sandbox twin (SPEC §8): with a `vlt_test_` key, or a user token that switched to
   * the twin with `X-Organization-ID`.
   */
  mode: "live" | "test";
  /**
   * The live organization the credential belongs to (the same as `organization` in live mode):
   * the user's membership here decides the role in both modes, and its API keys are here.
   */
  liveOrganization: { id: string; name: string; plan: string };
  role: Role;
  /** As granted: the key's or the OAuth consent's scopes, or the role's for a user token. */
  scopes: Scope[];
  /** The fine scopes the credential may use right now. */
  allowed: ReadonlySet<FineScope>;
}

/**
 * Where test mode acts (SPEC §8). Implemented by the sandbox feature; the authenticator only asks,
 * so that a credential's first use of the sandbox can create it.
 */
export interface SandboxGate {
  /**
   * The twin of a live organization, created with demo data if it does not exist yet, with the
   * user a member of it with their live `role` (so they can own time entries there).
   */
  enter(liveOrgId: string, userId: string, role: Role): Promise<{ id: string; name: string; plan: string }>;
}

const REVOKED: Record<Principal["kind"], string> = {
  api_key: "This API key has been revoked",
  user_token: "This session has ended",
  oauth_token: "This app's access has been revoked",
};

// SPEC §1/§3: a revoked key or ended session is refused within 1 s on every process.
const CACHE = { freshMs: 250, maxAgeMs: 900, maxEntries: 50_000 };
const USAGE_FLUSH_MS = 5_000;

export function createAuthenticator(
  identity: IdentityStore,
  options: { platformAdmins?: readonly string[]; sandbox?: SandboxGate } = {},
) {
  const platformAdmins = new Set(options.platformAdmins ?? []);

  /** The principal acting on `twin`, entering it first unless the user is in it with their live role. */
  async function inTwin(principal: Principal, twin: TwinRecord | null): Promise<Principal> {
    const entered = twin && twin.memberRole === principal.role && twin.memberStatus === "active";
    if (entered) return { ...principal, mode: "test", organization: twin.organization };
    if (!options.sandbox) throw new Error("test mode needs a sandbox gate");
    const organization = await options.sandbox.enter(
      principal.liveOrganization.id,
      principal.user.id,
      principal.role,
    );
    return { ...principal, mode: "test", organization };
  }
  // The bearer kinds `authenticate` accepts, and where each is looked up.
  const lookups: Partial<Record<CredentialKind, (hash: string) => Promise<CredentialRecord | null>>> = {
    api_key: identity.findApiKey,
    access_token: identity.findAccessToken,
    oauth_access_token: identity.findOAuthAccessToken,
  };
  const credentials = createBoundedAgeCache(async (kindAndHash: string) => {
    const [kind, hash] = kindAndHash.split(" ") as [CredentialKind, string];
    const record = await lookups[kind]?.(hash);
    return record ? toPrincipal(record) : null;
  }, CACHE);
  const memberships = createBoundedAgeCache(async (userAndOrg: string) => {
    const [userId, orgId] = userAndOrg.split(" ") as [string, string];
    return identity.findMembership(userId, orgId);
  }, CACHE);

  // Milliseconds, not a Date: this is set on every request with an API key.
  const lastUsed = new Map<string, number>();
  const flushTimer = setInterval(() => void flushUsage().catch(() => {}), USAGE_FLUSH_MS);
  flushTimer.unref();

  async function flushUsage(): Promise<void> {
    const usage = [...lastUsed].map(([keyId, usedAt]) => ({ keyId, usedAt: new Date(usedAt) }));
    lastUsed.clear();
    try {
      await identity.touchApiKeys(usage);
    } catch (error) {
      // Put them back (unless a newer use arrived meanwhile) for the next flush to retry.
      for (const { keyId, usedAt } of usage) if (!lastUsed.has(keyId)) lastUsed.set(keyId, usedAt.getTime());
      throw error;
    }
  }

  /** The credential cache's key for the header, or why the header names no credential. */
  function cacheKey(header: string | undefined): string | UnauthorizedError {
    if (!header) return new UnauthorizedError("Missing Authorization header", "missing_credentials");
    const [scheme, token, ...rest] = header.split(" ");
    if (scheme?.toLowerCase() !== "bearer" || !token || rest.length > 0) {
      return new UnauthorizedError(
        'Authorization header must be "Bearer <token>": the Bearer prefix is missing',
        "missing_bearer_prefix",
      );
    }
    const kind = credentialKind(token);
    if (kind === null || !lookups[kind]) {
      return new UnauthorizedError(
        "Malformed token: expected an API key (vlt_live_… or vlt_test_…) or an access token",
        "malformed_token",
      );
    }
    return `${kind} ${hashSecret(token)}`;
  }

  /** Why a found credential may not be used now, or null when it may. */
  function refusal(entry: CachedCredential | null): UnauthorizedError | null {
    if (!entry) return new UnauthorizedError("Invalid or missing authentication token", "invalid_token");
    const { principal, expiresAt, revokedAt, active } = entry;
    if (revokedAt) return new UnauthorizedError(REVOKED[principal.kind], "revoked_token");
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      return new UnauthorizedError(
        principal.kind === "api_key" ? "This API key has expired" : "This access token has expired",
        "expired_token",
      );
    }
    if (!active) return new UnauthorizedError("This member has been deactivated", "deactivated_member");
    return null;
  }

  /** A valid credential's principal, its use noted for last_used_at. */
  function used(principal: Principal): Principal {
    if (principal.kind === "api_key") lastUsed.set(principal.credentialId, Date.now());
    return principal;
  }

  return {
    /** SPEC §2: every failure here is 401 `UNAUTHORIZED`, with `details.reason` telling which. */
    async authenticate(header: string | undefined): Promise<Principal> {
      const key = cacheKey(header);
      if (key instanceof UnauthorizedError) throw key;
      const entry = await credentials.get(key);
      const refused = refusal(entry);
      if (refused || !entry) throw refused;
      const principal = used(entry.principal);
      // Only a valid credential gets this far: a revoked test key never creates a sandbox.
      return entry.mode === "test" ? inTwin(principal, entry.twin) : principal;
    },

    /**
     * `authenticate` without a promise, for a valid live credential already in the cache: the
     * common case of every authenticated request. Undefined for anything else (not cached, not
     * valid, test mode): `authenticate` then answers, and says what is wrong.
     */
    authenticateNow(header: string | undefined): Principal | undefined {
      const key = cacheKey(header);
      if (key instanceof UnauthorizedError) return undefined;
      const entry = credentials.getNow(key)?.value;
      if (!entry || entry.mode === "test" || refusal(entry)) return undefined;
      return used(entry.principal);
    },

    /**
     * SPEC §3: `X-Organization-ID` switches a user token to another organization the user is an
     * active member of; an API key belongs to one organization only. The sandbox twin of such an
     * organization is open to the same users with the same role (SPEC §8, the console's "test data").
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
        const found = await identity.findOrganization(principal.user.id, orgId);
        membership = found && { ...found, role: "admin", membershipStatus: "active" };
      }
      if (membership?.membershipStatus !== "active") throw refuse();
      const switched: Principal = {
        ...principal,
        mode: "live",
        organization: membership.organization,
        liveOrganization: membership.organization,
        role: membership.role,
        scopes: roleScopes(membership.role),
        allowed: effectiveScopes(roleScopes(membership.role), membership.role),
      };
      return membership.twin ? inTwin(switched, membership.twin) : switched;
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

type CachedCredential = ReturnType<typeof toPrincipal>;

function toPrincipal(record: CredentialRecord) {
  const scopes = record.scopes ? record.scopes.filter(isScope) : roleScopes(record.role);
  // A test key's organization becomes its twin's in `authenticate`, once the key is known valid.
  const principal: Principal = {
    kind: record.kind,
    credentialId: record.credentialId,
    user: record.user,
    organization: record.organization,
    mode: "live",
    liveOrganization: record.organization,
    role: record.role,
    scopes,
    allowed: effectiveScopes(scopes, record.role),
  };
  return {
    principal,
    mode: record.mode,
    twin: record.twin,
    expiresAt: record.expiresAt,
    revokedAt: record.revokedAt,
    active: record.membershipStatus === "active",
  };
}
