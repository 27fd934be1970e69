import type { Principal } from "../../platform/auth/authenticator.js";
import { checkPrecondition } from "../../platform/conditional.js";
import type { Db } from "../../platform/db/connection.js";
import { rethrowDuplicateName } from "../../platform/db/errors.js";
import { recordChange } from "../../platform/events.js";
import { newId } from "../../platform/ids.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { toTag } from "./format.js";
import type { Tag } from "./schemas.js";
import { createTagStore, type TagStore } from "./store.js";

export function createTagService(deps: { db: Db }) {
  const { db } = deps;

  async function findOrFail(conn: Db, store: TagStore, ctx: OrgContext, id: string, forUpdate = false) {
    const row =
      (await store.find(ctx, id, { forUpdate })) ??
      (await notFoundOrForeign(conn, ctx, "tags", "id", id, "tag"));
    // Locked for a write: the request's If-Match is answered against what GET shows (SPEC §8).
    if (forUpdate) checkPrecondition(ctx, toTag(row));
    return row;
  }

  return {
    async list(ctx: OrgContext, query: Record<string, unknown>) {
      const { rows, pagination } = await createTagStore(db).list(ctx, query);
      return { items: rows.map(toTag), pagination };
    },

    async get(ctx: OrgContext, id: string): Promise<Tag> {
      return toTag(await findOrFail(db, createTagStore(db), ctx, id));
    },

    async create(ctx: OrgContext, principal: Principal, body: { name: string }): Promise<Tag> {
      const name = body.name.trim();
      return db
        .transaction()
        .execute(async (trx) => {
          const row = await createTagStore(trx).insert(ctx, newId("tag"), name);
          return recordChange(trx, ctx, principal, "tag.created", toTag(row));
        })
        .catch((error) => rethrowDuplicateName(error, "tags_name_key", "tag", name));
    },

    async rename(ctx: OrgContext, principal: Principal, id: string, body: { name: string }): Promise<Tag> {
      const name = body.name.trim();
      return db
        .transaction()
        .execute(async (trx) => {
          const store = createTagStore(trx);
          await findOrFail(trx, store, ctx, id, true);
          const row = await store.rename(ctx, id, name);
          return recordChange(trx, ctx, principal, "tag.updated", toTag(row));
        })
        .catch((error) => rethrowDuplicateName(error, "tags_name_key", "tag", name));
    },

    /** The tag comes off every time entry that carried it; the entries themselves stay. */
    async remove(ctx: OrgContext, principal: Principal, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const store = createTagStore(trx);
        const row = await findOrFail(trx, store, ctx, id, true);
        await store.remove(ctx, id);
        await recordChange(trx, ctx, principal, "tag.deleted", toTag(row));
      });
    },
  };
}

export type TagService = ReturnType<typeof createTagService>;
