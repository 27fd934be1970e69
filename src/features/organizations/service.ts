import type { Authenticator, Principal } from "../../platform/auth/authenticator.js";
import { checkPrecondition } from "../../platform/conditional.js";
import type { Db } from "../../platform/db/connection.js";
import { ForbiddenError, NotFoundError } from "../../platform/errors.js";
import { recordEvent } from "../../platform/events.js";
import type { PageWindow } from "../../platform/pagination.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { toOrganization, toOrganizationMembership } from "./format.js";
import type { UpdateOrganizationBody } from "./schemas.js";
import { createOrganizationStore } from "./store.js";

export function createOrganizationService(deps: { db: Db; authenticator: Pick<Authenticator, "forget"> }) {
  const { db, authenticator } = deps;
  const store = createOrganizationStore(db);

  async function current(ctx: OrgContext) {
    const row = await store.find(ctx);
    // The credential was resolved moments ago, so only a concurrent deletion gets here.
    if (!row) throw new NotFoundError("organization", ctx.orgId);
    return row;
  }

  return {
    async get(ctx: OrgContext) {
      return toOrganization(await current(ctx));
    },

    async update(ctx: OrgContext, principal: Principal, body: UpdateOrganizationBody) {
      // SPEC §3: the plan is the owner's alone. Re-sending the current plan is not a change.
      if (body.plan !== undefined && principal.role !== "owner") {
        const { plan } = await current(ctx);
        if (body.plan !== plan) {
          throw new ForbiddenError("Only the owner may change the plan", {
            reason: "owner_only",
            field: "plan",
          });
        }
      }
      const organization = await db.transaction().execute(async (trx) => {
        const store = createOrganizationStore(trx);
        const locked = await store.find(ctx, { forUpdate: true });
        if (!locked) throw new NotFoundError("organization", ctx.orgId);
        checkPrecondition(ctx, toOrganization(locked));
        const row = await store.update(ctx, body);
        if (!row) throw new NotFoundError("organization", ctx.orgId);
        const updated = toOrganization(row);
        await recordEvent(trx, ctx, {
          name: "organization.updated",
          resourceType: "organization",
          resourceId: updated.id,
          actorId: principal.user.id,
          data: updated,
        });
        return updated;
      });
      // Principals carry the organization's name and plan (rate limits); drop the cached ones.
      authenticator.forget();
      return organization;
    },

    /** SPEC §6 "mine": a user's active memberships; an API key or OAuth token belongs to its organization only. */
    async listMine(ctx: OrgContext, principal: Principal, window: PageWindow) {
      if (principal.kind !== "user_token") {
        const only = toOrganizationMembership({ ...(await current(ctx)), role: principal.role });
        return { items: [only].slice(window.offset, window.offset + window.limit), total: 1 };
      }
      const { rows, total } = await store.listForUser(ctx, principal.user.id, window);
      return { items: rows.map(toOrganizationMembership), total };
    },
  };
}

export type OrganizationService = ReturnType<typeof createOrganizationService>;
