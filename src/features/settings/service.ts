import type { Principal } from "../../platform/auth/authenticator.js";
import { checkPrecondition } from "../../platform/conditional.js";
import type { Db } from "../../platform/db/connection.js";
import { NotFoundError, ValidationError } from "../../platform/errors.js";
import { recordEvent } from "../../platform/events.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { canonicalTimezone } from "../../platform/time.js";
import { toMemberRate, toSettings } from "./format.js";
import type { MemberRate, Settings, UpdateSettingsBody } from "./schemas.js";
import { createSettingsStore } from "./store.js";

const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

export function createSettingsService(deps: { db: Db }) {
  const { db } = deps;

  async function checkedPatch(ctx: OrgContext, body: UpdateSettingsBody): Promise<UpdateSettingsBody> {
    const patch = { ...body };
    if (body.timezone !== undefined) {
      // Node and PostgreSQL must both know it: the API resolves lock dates, reports bucket in SQL.
      const zone = canonicalTimezone(body.timezone);
      if (!zone || !(await createSettingsStore(db).timezoneKnown(ctx, zone))) {
        throw new ValidationError(
          "timezone",
          `Unknown time zone ${body.timezone}: use an IANA name such as Europe/Berlin or UTC`,
          "invalid_timezone",
        );
      }
      patch.timezone = zone;
    }
    if (body.currency !== undefined && !CURRENCIES.has(body.currency)) {
      throw new ValidationError(
        "currency",
        `Unknown currency ${body.currency}: use an ISO 4217 code such as EUR`,
        "unknown_currency",
      );
    }
    return patch;
  }

  return {
    async get(ctx: OrgContext): Promise<Settings> {
      const row = await createSettingsStore(db).find(ctx);
      if (!row) throw new NotFoundError("settings");
      return toSettings(row);
    },

    async update(ctx: OrgContext, principal: Principal, body: UpdateSettingsBody): Promise<Settings> {
      const patch = await checkedPatch(ctx, body);
      return db.transaction().execute(async (trx) => {
        const store = createSettingsStore(trx);
        const locked = await store.find(ctx, { forUpdate: true });
        if (!locked) throw new NotFoundError("settings");
        checkPrecondition(ctx, toSettings(locked));
        const row = await store.update(ctx, patch);
        if (!row) throw new NotFoundError("settings");
        const settings = toSettings(row);
        await recordEvent(trx, ctx, {
          name: "settings.updated",
          resourceType: "settings",
          resourceId: ctx.orgId,
          actorId: principal.user.id,
          data: settings,
        });
        return settings;
      });
    },

    /** Between a project's rate and the organization's default in the precedence of entry rates. */
    async setMemberRate(
      ctx: OrgContext,
      principal: Principal,
      userId: string,
      hourlyRate: number | null,
    ): Promise<MemberRate> {
      return db.transaction().execute(async (trx) => {
        const store = createSettingsStore(trx);
        const locked = await store.findMemberRate(ctx, userId, { forUpdate: true });
        if (!locked) return notFoundOrForeign(trx, ctx, "memberships", "user_id", userId, "user");
        checkPrecondition(ctx, toMemberRate(locked));
        const row = (await store.setMemberRate(ctx, userId, hourlyRate)) as NonNullable<typeof locked>;
        const rate = toMemberRate(row);
        await recordEvent(trx, ctx, {
          name: "member.updated",
          resourceType: "member",
          resourceId: userId,
          actorId: principal.user.id,
          data: { id: userId, hourly_rate: rate.hourly_rate, updated_at: rate.updated_at },
        });
        return rate;
      });
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
