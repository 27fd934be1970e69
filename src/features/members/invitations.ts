import type { Principal } from "../../platform/auth/authenticator.js";
import { hashSecret, newInvitationToken } from "../../platform/auth/secrets.js";
import type { Db } from "../../platform/db/connection.js";
import { type ApiError, ConflictError, ForbiddenError, NotFoundError } from "../../platform/errors.js";
import { recordChange } from "../../platform/events.js";
import { newId } from "../../platform/ids.js";
import type { PageWindow } from "../../platform/pagination.js";
import { notFoundOrForeign, type OrgContext, systemOrgContext } from "../../platform/tenancy.js";
import { rfc3339, rfc3339OrNull } from "../../platform/time.js";
import { toMember } from "./format.js";
import {
  createInvitationStore,
  findInvitationByTokenForUpdate,
  type InvitationRow,
  type InvitationStatus,
} from "./invitation-store.js";
import type { Invitation, InvitationWithToken, InviteMemberBody, Member } from "./schemas.js";
import { createMemberStore } from "./store.js";

/** SPEC §3: an invitation is valid for 7 days. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export function toInvitation(row: InvitationRow): Invitation {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    hourly_rate: row.hourly_rate,
    status: row.status,
    invited_by: row.invited_by,
    expires_at: rfc3339(row.expires_at),
    accepted_at: rfc3339OrNull(row.accepted_at),
    accepted_by: row.accepted_by,
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
  };
}

/**
 * Inviting, listing and revoking, for the organization; accepting, for the invitee (through the
 * accounts feature, which signs them in). No step looks up whether the e-mail has an account
 * before the invitee accepts, so no answer to the organization can tell.
 */
export function createInvitationService(deps: { db: Db }) {
  const { db } = deps;

  return {
    /** `origin` is where the console is served: the invitation URL points at its accept page. */
    async invite(
      ctx: OrgContext,
      principal: Principal,
      body: InviteMemberBody,
      origin: string,
    ): Promise<InvitationWithToken> {
      if (body.role === "owner" && principal.role !== "owner") {
        throw new ForbiddenError("Only an owner may invite an owner", { reason: "owner_only" });
      }
      const email = body.email.trim();
      const token = newInvitationToken();
      return db.transaction().execute(async (trx) => {
        const store = createInvitationStore(trx);
        const member = await store.memberByEmail(ctx, email);
        if (member) {
          const hint =
            member.status === "deactivated" ? " (deactivated: PATCH status active to restore)" : "";
          throw new ConflictError(
            `This e-mail is already a member of the organization${hint}`,
            "already_member",
            {
              field: "email",
              user_id: member.id,
              status: member.status,
            },
          );
        }
        const open = await store.openFor(ctx, email);
        const row =
          !open &&
          (await store.insert(ctx, {
            id: newId("invitation"),
            email,
            role: body.role,
            hourlyRate: body.hourly_rate ?? null,
            tokenHash: hashSecret(token),
            invitedBy: principal.user.id,
            expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
          }));
        if (!row) {
          throw new ConflictError(
            "This e-mail already has an open invitation; revoke it to send a new one",
            "already_invited",
            { field: "email", ...(open ? { invitation_id: open.id } : {}) },
          );
        }
        // The event and the audit trail carry the invitation as listed: never its token.
        const invitation = await recordChange(trx, ctx, principal, "invitation.created", toInvitation(row));
        return {
          ...invitation,
          token,
          invitation_url: `${origin}/accept-invitation#token=${token}`,
        };
      });
    },

    async list(ctx: OrgContext, filter: { status?: InvitationStatus }, window: PageWindow) {
      const { rows, total } = await createInvitationStore(db).list(ctx, filter, window);
      return { items: rows.map(toInvitation), total };
    },

    async get(ctx: OrgContext, id: string): Promise<Invitation> {
      const row = await createInvitationStore(db).find(ctx, id);
      return toInvitation(row ?? (await notFoundOrForeign(db, ctx, "invitations", "id", id, "invitation")));
    },

    /** The token stops working at once; revoking a closed invitation is a no-op. */
    async revoke(ctx: OrgContext, principal: Principal, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const store = createInvitationStore(trx);
        if (!(await store.find(ctx, id)))
          await notFoundOrForeign(trx, ctx, "invitations", "id", id, "invitation");
        const revoked = await store.revoke(ctx, id);
        if (revoked) await recordChange(trx, ctx, principal, "invitation.revoked", toInvitation(revoked));
      });
    },
  };
}

/** Why an invitation token cannot be accepted, in words the invitee can act on. */
function closed(row: InvitationRow | undefined): ApiError | null {
  if (!row) return new NotFoundError("invitation");
  switch (row.status) {
    case "accepted":
      return new ConflictError("This invitation has been accepted already", "invitation_used");
    case "revoked":
      return new ConflictError("This invitation was revoked; ask for a new one", "invitation_revoked");
    case "expired":
      return new ConflictError("This invitation has expired; ask for a new one", "invitation_expired");
    default:
      return null;
  }
}

/**
 * The invitee's half, run by the accounts feature inside its own transaction: `open` finds and
 * locks the invitation a token names, `complete` makes the user a member with its role and rate.
 */
export const invitationAcceptance = {
  async open(trx: Db, token: string) {
    const row = await findInvitationByTokenForUpdate(trx, hashSecret(token));
    const refusal = closed(row);
    if (refusal || !row) throw refusal;
    return { row, ctx: systemOrgContext(row.organization_id) };
  },

  async complete(
    trx: Db,
    invitation: { row: InvitationRow; ctx: OrgContext },
    userId: string,
  ): Promise<Member> {
    const { row, ctx } = invitation;
    const members = createMemberStore(trx);
    if (!(await members.addMembership(ctx, userId, row.role, row.hourly_rate))) {
      throw new ConflictError("You are a member of this organization already", "already_member");
    }
    const accepted = await createInvitationStore(trx).markAccepted(ctx, row.id, userId);
    const actor = { user: { id: userId } };
    await recordChange(trx, ctx, actor, "invitation.accepted", toInvitation(accepted));
    const member = toMember((await members.find(ctx, userId)) as Parameters<typeof toMember>[0]);
    return recordChange(trx, ctx, actor, "member.created", member);
  },
};
