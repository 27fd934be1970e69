import type { Authenticator, Principal } from "../../platform/auth/authenticator.js";
import { hashPassword, verifyPassword } from "../../platform/auth/passwords.js";
import { hashSecret, newAccessToken, newRefreshToken } from "../../platform/auth/secrets.js";
import type { Config } from "../../platform/config.js";
import type { Db } from "../../platform/db/connection.js";
import {
  ApiError,
  ConflictError,
  ForbiddenError,
  UnauthorizedError,
  ValidationError,
} from "../../platform/errors.js";
import { newId } from "../../platform/ids.js";
import { toUser } from "../members/format.js";
import { invitationAcceptance } from "../members/invitations.js";
import { toOrganization } from "../organizations/format.js";
import type {
  AcceptInvitationBody,
  LoginBody,
  RegisterBody,
  TokenResponse,
  UpdateProfileBody,
} from "./schemas.js";
import { type AccountStore, createAccountStore } from "./store.js";

// SPEC §3: access tokens live 24 h, refresh tokens 30 days.
export const ACCESS_TOKEN_TTL_S = 24 * 60 * 60;
export const REFRESH_TOKEN_TTL_S = 30 * 24 * 60 * 60;

type Organization = Parameters<typeof toOrganization>[0];
type User = Parameters<typeof toUser>[0];

export function createAccountService(deps: {
  db: Db;
  authenticator: Authenticator;
  config: Pick<Config, "defaultPlan">;
}) {
  const { db, authenticator, config } = deps;

  /** Writes a fresh access + refresh pair for the session and answers SPEC §3's token shape. */
  async function issueTokens(store: AccountStore, sessionId: string, user: User, organization: Organization) {
    const accessToken = newAccessToken();
    const refreshToken = newRefreshToken();
    const now = Date.now();
    await store.addTokens(sessionId, [
      { hash: hashSecret(accessToken), kind: "access", expiresAt: new Date(now + ACCESS_TOKEN_TTL_S * 1000) },
      {
        hash: hashSecret(refreshToken),
        kind: "refresh",
        expiresAt: new Date(now + REFRESH_TOKEN_TTL_S * 1000),
      },
    ]);
    const response: TokenResponse = {
      token_type: "Bearer",
      access_token: accessToken,
      expires_in: ACCESS_TOKEN_TTL_S,
      refresh_token: refreshToken,
      refresh_expires_in: REFRESH_TOKEN_TTL_S,
      user: toUser(user),
      organization: toOrganization(organization),
    };
    return response;
  }

  async function startSession(store: AccountStore, user: User, organization: Organization) {
    const sessionId = newId("session");
    await store.createSession({ id: sessionId, userId: user.id, orgId: organization.id });
    return issueTokens(store, sessionId, user, organization);
  }

  /** Seed 001's "who am I"; `user` overrides the principal's name and e-mail after a change. */
  function me(principal: Principal, user?: { email: string; name: string }) {
    return {
      id: principal.user.id,
      email: user?.email ?? principal.user.email,
      name: user?.name ?? principal.user.name,
      role: principal.role,
      scopes: principal.scopes,
      mode: principal.mode,
      organization: {
        id: principal.organization.id,
        name: principal.organization.name,
        sandbox_of: principal.mode === "test" ? principal.liveOrganization.id : null,
      },
    };
  }

  return {
    async register(body: RegisterBody): Promise<TokenResponse> {
      const passwordHash = await hashPassword(body.password);
      return db.transaction().execute(async (trx) => {
        const store = createAccountStore(trx);
        const account = await store.createAccount({
          user: { id: newId("user"), email: body.email.trim(), name: body.name, passwordHash },
          organization: { id: newId("organization"), name: body.organization_name, plan: config.defaultPlan },
        });
        if (!account) {
          throw new ConflictError("An account with this e-mail already exists", "email_taken", {
            field: "email",
          });
        }
        return startSession(store, account.user, account.organization);
      });
    },

    async login(body: LoginBody): Promise<TokenResponse> {
      const store = createAccountStore(db);
      const user = await store.findUserByEmail(body.email.trim());
      // Same message and the same argon2 cost whether the e-mail or the password is wrong.
      if (!(await verifyPassword(user?.password_hash, body.password)) || !user) {
        throw new UnauthorizedError("Invalid e-mail or password", "invalid_credentials");
      }
      const membership = await store.findActiveMembership(user.id, body.organization_id);
      if (!membership) {
        throw new UnauthorizedError(
          body.organization_id
            ? "You are not an active member of that organization"
            : "You are not an active member of any organization",
          "no_active_membership",
        );
      }
      return db.transaction().execute((trx) => startSession(createAccountStore(trx), user, membership));
    },

    /** Rotation: a refresh token is spent once; spending it again ends the whole session. */
    async refresh(refreshToken: string): Promise<TokenResponse> {
      const outcome = await db.transaction().execute(async (trx) => {
        const store = createAccountStore(trx);
        const token = await store.findRefreshTokenForUpdate(hashSecret(refreshToken));
        if (!token) return { error: new UnauthorizedError("Invalid refresh token", "invalid_token") };
        if (token.revoked_at)
          return { error: new UnauthorizedError("This session has ended", "revoked_token") };
        if (token.used_at) {
          await store.revokeSession(token.session_id, "refresh_token_reuse");
          return {
            error: new UnauthorizedError(
              "This refresh token was already used; the session has been ended for safety",
              "refresh_token_reused",
            ),
            revoked: true,
          };
        }
        if (token.expires_at.getTime() <= Date.now()) {
          return { error: new UnauthorizedError("This refresh token has expired", "expired_token") };
        }
        const membership = await store.findActiveMembership(token.user_id, token.organization_id);
        const user = await store.findUser(token.user_id);
        if (!membership || !user) {
          return { error: new UnauthorizedError("This member has been deactivated", "deactivated_member") };
        }
        await store.markRefreshTokenUsed(token.token_hash);
        return { tokens: await issueTokens(store, token.session_id, user, membership) };
      });
      // The revocation above must commit, so the error is thrown only after the transaction.
      if (outcome.revoked) authenticator.forget();
      if (outcome.error) throw outcome.error;
      return outcome.tokens as TokenResponse;
    },

    async logout(principal: Principal): Promise<void> {
      if (principal.kind !== "user_token") {
        throw new ApiError(
          "INVALID_REQUEST",
          "Logout ends a user session; revoke an API key with DELETE /v1/api-keys/{id}",
          { reason: "not_a_session" },
        );
      }
      await createAccountStore(db).revokeSession(principal.credentialId, "logout");
      authenticator.forget();
    },

    /**
     * SPEC §3: accepting an invitation. A signed-in user (a user token of the invited e-mail) joins
     * with their account and keeps their password; without one, a new account is made with the
     * name and password given, unless the e-mail has an account already (then: sign in first).
     * Either way the answer signs the user in to the organization they joined.
     */
    async acceptInvitation(
      body: AcceptInvitationBody,
      principal: Principal | undefined,
    ): Promise<TokenResponse> {
      if (principal && principal.kind !== "user_token") {
        throw new ForbiddenError("Accept an invitation as a person: sign in, or send no credential", {
          reason: "user_token_required",
        });
      }
      if (!principal && (body.name === undefined || body.password === undefined)) {
        throw new ValidationError(
          body.name === undefined ? "name" : "password",
          "A new account needs a name and a password; if you have an account, sign in and accept with your access token",
          "required",
        );
      }
      const passwordHash = principal ? null : await hashPassword(body.password as string);
      return db.transaction().execute(async (trx) => {
        const store = createAccountStore(trx);
        const invitation = await invitationAcceptance.open(trx, body.token);
        const invitedEmail = invitation.row.email.toLowerCase();
        let user: User | null | undefined;
        if (principal) {
          if (principal.user.email.toLowerCase() !== invitedEmail) {
            throw new ForbiddenError("This invitation is for another e-mail address", {
              reason: "email_mismatch",
            });
          }
          user = await store.findUser(principal.user.id);
        } else {
          user = await store.createUser({
            id: newId("user"),
            email: invitation.row.email,
            name: body.name as string,
            passwordHash: passwordHash as string,
          });
          if (!user) {
            throw new ConflictError(
              "An account with this e-mail exists: sign in, then accept with your access token",
              "account_exists",
              { field: "token" },
            );
          }
        }
        if (!user) throw new UnauthorizedError("This account no longer exists", "invalid_token");
        await invitationAcceptance.complete(trx, invitation, user.id);
        const organization = await store.findActiveMembership(user.id, invitation.ctx.orgId);
        return startSession(store, user, organization as Organization);
      });
    },

    /**
     * SPEC §3: a person's profile is theirs alone. Changing the e-mail or the password asks for the
     * current password, and a new password ends the user's other sessions.
     */
    async updateProfile(principal: Principal, body: UpdateProfileBody) {
      if (principal.kind !== "user_token") {
        throw new ForbiddenError("A profile is changed by its person: use a user access token", {
          reason: "user_token_required",
        });
      }
      const store = createAccountStore(db);
      if (body.email !== undefined || body.password !== undefined) {
        const current = await store.findUserByEmail(principal.user.email);
        if (body.current_password === undefined) {
          throw new ValidationError(
            "current_password",
            "Changing the e-mail or the password needs current_password",
            "required",
          );
        }
        if (!(await verifyPassword(current?.password_hash, body.current_password))) {
          throw new ValidationError("current_password", "current_password is not your password", "incorrect");
        }
      }
      const passwordHash = body.password === undefined ? undefined : await hashPassword(body.password);
      const patch = { name: body.name, email: body.email?.trim(), passwordHash };
      if (!(await store.updateUser(principal.user.id, patch))) {
        throw new ConflictError("Another account uses this e-mail", "email_taken", { field: "email" });
      }
      if (passwordHash !== undefined) {
        await store.revokeOtherSessions(principal.user.id, principal.credentialId, "password_changed");
      }
      // The principal carries the name and e-mail: every process sees the change within 1 s, this one now.
      authenticator.forget();
      const user = await store.findUser(principal.user.id);
      return me(principal, user);
    },

    me: (principal: Principal) => me(principal),
  };
}
