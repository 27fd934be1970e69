import type { Principal } from "../../platform/auth/authenticator.js";
import { checkPrecondition } from "../../platform/conditional.js";
import type { Db } from "../../platform/db/connection.js";
import { foreignKeyViolation, rethrowDuplicateName } from "../../platform/db/errors.js";
import { ConflictError } from "../../platform/errors.js";
import { recordChange } from "../../platform/events.js";
import { newId } from "../../platform/ids.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { toClient } from "./format.js";
import type { Client, CreateClientBody, UpdateClientBody } from "./schemas.js";
import { type ClientStore, createClientStore } from "./store.js";

function inUse(projects?: number) {
  return new ConflictError(
    "Projects still belong to this client: move or delete them first, or archive the client",
    "in_use",
    projects === undefined ? {} : { projects },
  );
}

export function createClientService(deps: { db: Db }) {
  const { db } = deps;

  async function findOrFail(conn: Db, store: ClientStore, ctx: OrgContext, id: string, forUpdate = false) {
    const row =
      (await store.find(ctx, id, { forUpdate })) ??
      (await notFoundOrForeign(conn, ctx, "clients", "id", id, "client"));
    // Locked for a write: the request's If-Match is answered against what GET shows (SPEC §8).
    if (forUpdate) checkPrecondition(ctx, toClient(row));
    return row;
  }

  return {
    async list(ctx: OrgContext, query: Record<string, unknown>) {
      const { rows, pagination } = await createClientStore(db).list(ctx, query);
      return { items: rows.map(toClient), pagination };
    },

    async get(ctx: OrgContext, id: string): Promise<Client> {
      return toClient(await findOrFail(db, createClientStore(db), ctx, id));
    },

    async create(ctx: OrgContext, principal: Principal, body: CreateClientBody): Promise<Client> {
      const fields = { ...body, name: body.name.trim() };
      return db
        .transaction()
        .execute(async (trx) => {
          const row = await createClientStore(trx).insert(ctx, newId("client"), fields);
          return recordChange(trx, ctx, principal, "client.created", toClient(row));
        })
        .catch((error) => rethrowDuplicateName(error, "clients_name_key", "client", fields.name));
    },

    async update(ctx: OrgContext, principal: Principal, id: string, body: UpdateClientBody): Promise<Client> {
      const fields = body.name === undefined ? body : { ...body, name: body.name.trim() };
      return db
        .transaction()
        .execute(async (trx) => {
          const store = createClientStore(trx);
          await findOrFail(trx, store, ctx, id, true);
          const row = await store.update(ctx, id, fields);
          return recordChange(trx, ctx, principal, "client.updated", toClient(row));
        })
        .catch((error) => rethrowDuplicateName(error, "clients_name_key", "client", fields.name));
    },

    /** Refused while projects name the client (409 `in_use`): archiving is the way to retire one. */
    async remove(ctx: OrgContext, principal: Principal, id: string): Promise<void> {
      await db
        .transaction()
        .execute(async (trx) => {
          const store = createClientStore(trx);
          const row = await findOrFail(trx, store, ctx, id, true);
          const projects = await store.countProjects(ctx, id);
          if (projects > 0) throw inUse(projects);
          await store.remove(ctx, id);
          await recordChange(trx, ctx, principal, "client.deleted", toClient(row));
        })
        .catch((error) => {
          // A project was attached to the client while it was being deleted.
          if (foreignKeyViolation(error) !== null) throw inUse();
          throw error;
        });
    },
  };
}

export type ClientService = ReturnType<typeof createClientService>;
