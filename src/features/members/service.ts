import type { Authenticator, Principal } from "../../platform/auth/authenticator.js";
import type { Db } from "../../platform/db/connection.js";
import type { MembershipStatus, Role } from "../../platform/db/schema.js";
import { ConflictError, ForbiddenError } from "../../platform/errors.js";
import { recordChange } from "../../platform/events.js";
import type { PageWindow } from "../../platform/pagination.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { toMember } from "./format.js";
import type { Member, UpdateMemberBody } from "./schemas.js";
import { createMemberStore, type MemberFilter, type MemberStore } from "./store.js";

const ownerOnly = (message: string) => new ForbiddenError(message, { reason: "owner_only" });

export function createMemberService(deps: { db: Db; authenticator: Pick<Authenticator, "forget"> }) {
  const { db, authenticator } = deps;

  async function findOrFail(store: MemberStore, ctx: OrgContext, userId: string) {
    const member = await store.find(ctx, userId);
    // An id of another organization's member is a 403, an unknown one a 404 (SPEC §3).
    return member ?? notFoundOrForeign(db, ctx, "memberships", "user_id", userId, "user");
  }

  /** SPEC §3 role rules for changing a member; any change to an owner is the owners' business. */
  async function checkChange(
    store: MemberStore,
    ctx: OrgContext,
    principal: Principal,
    target: { id: string; role: Role; status: MembershipStatus },
    change: { role?: Role; status?: MembershipStatus },
  ) {
    const newRole = change.role ?? target.role;
    const newStatus = change.status ?? target.status;
    if (newRole !== target.role && target.id === principal.user.id) {
      throw new ForbiddenError("You cannot change your own role", { reason: "own_role", field: "role" });
    }
    if (principal.role !== "owner") {
      if (target.role === "owner") throw ownerOnly("Only an owner may change or deactivate an owner");
      if (newRole === "owner") throw ownerOnly("Only an owner may grant the owner role");
    }
    const losesOwner =
      target.role === "owner" &&
      target.status === "active" &&
      (newRole !== "owner" || newStatus !== "active");
    if (losesOwner && (await store.countActiveOwners(ctx)) <= 1) {
      throw new ConflictError(
        "The organization's last active owner cannot be demoted or deactivated",
        "last_owner",
      );
    }
  }

  return {
    async list(ctx: OrgContext, filter: MemberFilter, window: PageWindow) {
      const { rows, total } = await createMemberStore(db).list(ctx, filter, window);
      return { items: rows.map(toMember), total };
    },

    async get(ctx: OrgContext, userId: string): Promise<Member> {
      return toMember(await findOrFail(createMemberStore(db), ctx, userId));
    },

    async update(
      ctx: OrgContext,
      principal: Principal,
      userId: string,
      body: UpdateMemberBody,
    ): Promise<Member> {
      const member = await db.transaction().execute(async (trx) => {
        const store = createMemberStore(trx);
        await store.lockMemberships(ctx);
        const target = await findOrFail(store, ctx, userId);
        const change = { role: body.role, status: body.status };
        await checkChange(store, ctx, principal, target, change);
        await store.updateMembership(ctx, userId, change);
        if (body.status === "deactivated" && target.status === "active") {
          await store.revokeSessions(ctx, userId, "member_deactivated");
        }
        const updated = toMember(await findOrFail(store, ctx, userId));
        return recordChange(trx, ctx, principal, "member.updated", updated);
      });
      // Credentials carry the role and status; make this process see the change at once.
      authenticator.forget();
      return member;
    },

    /** SPEC §6: "delete" deactivates; the member's data stays. Deactivating twice is a no-op. */
    async deactivate(ctx: OrgContext, principal: Principal, userId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const store = createMemberStore(trx);
        await store.lockMemberships(ctx);
        const target = await findOrFail(store, ctx, userId);
        await checkChange(store, ctx, principal, target, { status: "deactivated" });
        if (target.status === "deactivated") return;
        await store.updateMembership(ctx, userId, { status: "deactivated" });
        await store.revokeSessions(ctx, userId, "member_deactivated");
        // "Deleted" as the API names it; the data shows the member as they stay: deactivated.
        const deactivated = toMember(await findOrFail(store, ctx, userId));
        await recordChange(trx, ctx, principal, "member.deleted", deactivated);
      });
      authenticator.forget();
    },
  };
}

export type MemberService = ReturnType<typeof createMemberService>;
