import type { Principal, SandboxGate } from "../../platform/auth/authenticator.js";
import type { Clock } from "../../platform/background/clock.js";
import type { Db } from "../../platform/db/connection.js";
import type { Role } from "../../platform/db/schema.js";
import { ApiError } from "../../platform/errors.js";
import { recordEvent } from "../../platform/events.js";
import { newId } from "../../platform/ids.js";
import { type OrgContext, systemOrgContext, twinContextOf } from "../../platform/tenancy.js";
import { rfc3339 } from "../../platform/time.js";
import { addDemoMembers, fillDemoData } from "./demo-data.js";
import type { Sandbox } from "./schemas.js";
import { claimDueTwin, createSandboxStore, type TwinRow } from "./store.js";

const DAY_MS = 86_400_000;

/** The last 00:00 UTC at or before `at`: a twin reset before it is due. */
export const lastMidnightUtc = (at: Date) => new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);

/** The demo cast's addresses: unique per twin, in a domain that receives no mail. */
const demoEmail = (twinId: string) => (i: number) =>
  `demo+${twinId.toLowerCase()}-${i}@sandbox.voltasis.invalid`;

export function toSandbox(row: TwinRow): Sandbox {
  return {
    organization_id: row.id,
    live_organization_id: row.sandbox_of,
    mode: "test",
    created_at: rfc3339(row.created_at),
    reset_at: rfc3339(row.sandbox_reset_at),
    next_reset_at: rfc3339(new Date(lastMidnightUtc(row.sandbox_reset_at).getTime() + DAY_MS)),
  };
}

/**
 * The sandbox (SPEC §8): each live organization's twin, an organization of its own that test-mode
 * credentials act on. Created on first use with the demo data of `npm run seed`, restored on
 * demand and every day at 00:00 UTC.
 */
/** POST /v1/sandbox/reset runs at most once per this interval for one sandbox (429 sooner). */
export const RESET_INTERVAL_MS = 60_000;

export function createSandboxService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  // One entry at a time per organization, user and role in this process: the first use of a busy
  // key's sandbox makes its concurrent requests wait on one creation, not each on the lock with
  // a connection of the pool.
  const entering = new Map<string, Promise<TwinRow>>();

  /** Creates the twin with its demo data, the entering user among its members. */
  async function create(trx: Db, live: OrgContext, userId: string, role: Role): Promise<TwinRow> {
    const store = createSandboxStore(trx);
    const twinRow = await store.insert(live, { id: newId("organization"), resetAt: clock.now() });
    const twin = systemOrgContext(twinRow.id);
    await store.mirrorMember(twin, userId, role);
    await addDemoMembers(trx, twin, demoEmail(twin.orgId));
    await fillDemoData(trx, twin);
    return twinRow;
  }

  async function enterOnce(liveOrgId: string, userId: string, role: Role): Promise<TwinRow> {
    // The caller is a credential of this live organization, verified a moment ago.
    const live = systemOrgContext(liveOrgId);
    return db.transaction().execute(async (trx) => {
      const store = createSandboxStore(trx);
      let twin = await store.find(live);
      if (!twin) {
        await store.lockCreation(live);
        twin = (await store.find(live)) ?? (await create(trx, live, userId, role));
      }
      await store.mirrorMember(systemOrgContext(twin.id), userId, role);
      return twin;
    });
  }

  function enter(liveOrgId: string, userId: string, role: Role): Promise<TwinRow> {
    const key = `${liveOrgId} ${userId} ${role}`;
    let pending = entering.get(key);
    if (!pending) {
      pending = enterOnce(liveOrgId, userId, role).finally(() => entering.delete(key));
      entering.set(key, pending);
    }
    return pending;
  }

  /**
   * Deletes the twin's data and restores the demo data, in one transaction that holds the twin's
   * row: requests on the sandbox wait for it rather than see it half restored.
   */
  async function resetLocked(trx: Db, twin: OrgContext, actorId: string | null): Promise<TwinRow> {
    const store = createSandboxStore(trx);
    await store.deleteData(twin);
    await addDemoMembers(trx, twin, demoEmail(twin.orgId));
    await fillDemoData(trx, twin);
    const row = await store.stampReset(twin, clock.now(), actorId !== null);
    // The sandbox's own webhooks learn that its data was replaced; the audit log keeps who did it.
    await recordEvent(trx, twin, {
      name: "sandbox.reset",
      resourceType: "sandbox",
      resourceId: row.id,
      actorId,
      data: toSandbox(row),
    });
    return row;
  }

  const gate: SandboxGate = {
    async enter(liveOrgId, userId, role) {
      const twin = await enter(liveOrgId, userId, role);
      return { id: twin.id, name: twin.name, plan: twin.plan };
    },
  };

  return {
    gate,

    /** The caller's sandbox, created on first use (`GET /v1/sandbox`), from either mode. */
    async get(principal: Principal): Promise<Sandbox> {
      return toSandbox(await enter(principal.liveOrganization.id, principal.user.id, principal.role));
    },

    /** `POST /v1/sandbox/reset` from either mode; `ctx` carries the request into the twin's audit log. */
    async reset(ctx: OrgContext, principal: Principal): Promise<Sandbox> {
      const entered = await enter(principal.liveOrganization.id, principal.user.id, principal.role);
      const twin = ctx.orgId === entered.id ? ctx : twinContextOf(ctx, entered.id);
      const row = await db.transaction().execute(async (trx) => {
        const locked = await createSandboxStore(trx).lockForReset(twin);
        // A reset rewrites thousands of rows: asked for once a minute at most, so a loop cannot load
        // the database (the daily reset is not counted).
        const last = locked?.sandbox_requested_reset_at;
        const waitMs = last ? last.getTime() + RESET_INTERVAL_MS - clock.now().getTime() : 0;
        if (waitMs > 0) {
          const seconds = Math.ceil(waitMs / 1000);
          throw new ApiError(
            "RATE_LIMIT_EXCEEDED",
            `The sandbox was reset moments ago; reset again in ${seconds} seconds`,
            {
              reason: "reset_too_soon",
              retry_after: seconds,
            },
          );
        }
        return resetLocked(trx, twin, principal.user.id);
      });
      return toSandbox(row);
    },

    /**
     * One round of the daily reset: claims a twin not reset since the last 00:00 UTC and resets
     * it. Every process runs this; SKIP LOCKED gives each twin to one of them, once a day.
     */
    async resetOneDue(): Promise<boolean> {
      const due = lastMidnightUtc(clock.now());
      return db.transaction().execute(async (trx) => {
        const twinId = await claimDueTwin(trx, due);
        if (!twinId) return false;
        await resetLocked(trx, systemOrgContext(twinId), null);
        return true;
      });
    },
  };
}

export type SandboxService = ReturnType<typeof createSandboxService>;
