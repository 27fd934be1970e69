import type { Principal } from "../../platform/auth/authenticator.js";
import { checkPrecondition } from "../../platform/conditional.js";
import type { Db } from "../../platform/db/connection.js";
import { foreignKeyViolation, rethrowDuplicateName } from "../../platform/db/errors.js";
import { ConflictError, ValidationError } from "../../platform/errors.js";
import { recordChange } from "../../platform/events.js";
import { newId } from "../../platform/ids.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { toProject } from "./format.js";
import type { CreateProjectBody, Project, UpdateProjectBody } from "./schemas.js";
import { createProjectStore, type ProjectFields, type ProjectStore } from "./store.js";

// Another organization's client is "not found" too: a 400 must not reveal that the id exists elsewhere.
const noSuchClient = () =>
  new ValidationError("client_id", "client_id: no such client in this organization", "not_found");

function inUse(references?: { tasks: number; time_entries: number }) {
  return new ConflictError(
    "Tasks or time entries still belong to this project: delete them first, or archive the project",
    "in_use",
    references ?? {},
  );
}

/**
 * The database is the backstop for what the service checked first: a duplicate name, or a
 * client deleted between the check and the write, or work added to a project being deleted.
 */
function fromDatabase(error: unknown, name: string | undefined): never {
  const constraint = foreignKeyViolation(error);
  if (constraint === "projects_organization_id_client_id_fkey") throw noSuchClient();
  if (constraint !== null) throw inUse();
  rethrowDuplicateName(error, "projects_name_key", "project", name);
}

function normalize<T extends Partial<ProjectFields>>(body: T): T {
  return {
    ...body,
    ...(body.name === undefined ? {} : { name: body.name.trim() }),
    ...(typeof body.color === "string" ? { color: body.color.toLowerCase() } : {}),
  };
}

export function createProjectService(deps: { db: Db }) {
  const { db } = deps;

  async function findOrFail(conn: Db, store: ProjectStore, ctx: OrgContext, id: string, forUpdate = false) {
    const row =
      (await store.find(ctx, id, { forUpdate })) ??
      (await notFoundOrForeign(conn, ctx, "projects", "id", id, "project"));
    // Locked for a write: the request's If-Match is answered against what GET shows (SPEC §8).
    if (forUpdate) checkPrecondition(ctx, toProject(row));
    return row;
  }

  async function checkClient(store: ProjectStore, ctx: OrgContext, clientId: string | null | undefined) {
    if (clientId && !(await store.clientExists(ctx, clientId))) throw noSuchClient();
  }

  return {
    async list(ctx: OrgContext, query: Record<string, unknown>) {
      const { rows, pagination } = await createProjectStore(db).list(ctx, query);
      return { items: rows.map(toProject), pagination };
    },

    async get(ctx: OrgContext, id: string): Promise<Project> {
      return toProject(await findOrFail(db, createProjectStore(db), ctx, id));
    },

    async create(ctx: OrgContext, principal: Principal, body: CreateProjectBody): Promise<Project> {
      const fields = normalize(body);
      return db
        .transaction()
        .execute(async (trx) => {
          const store = createProjectStore(trx);
          await checkClient(store, ctx, fields.client_id);
          const id = newId("project");
          await store.insert(ctx, id, fields);
          return recordChange(
            trx,
            ctx,
            principal,
            "project.created",
            toProject(await findOrFail(trx, store, ctx, id)),
          );
        })
        .catch((error) => fromDatabase(error, fields.name));
    },

    async update(
      ctx: OrgContext,
      principal: Principal,
      id: string,
      body: UpdateProjectBody,
    ): Promise<Project> {
      const fields = normalize(body);
      return db
        .transaction()
        .execute(async (trx) => {
          const store = createProjectStore(trx);
          await findOrFail(trx, store, ctx, id, true);
          await checkClient(store, ctx, fields.client_id);
          await store.update(ctx, id, fields);
          return recordChange(
            trx,
            ctx,
            principal,
            "project.updated",
            toProject(await findOrFail(trx, store, ctx, id)),
          );
        })
        .catch((error) => fromDatabase(error, fields.name));
    },

    /** Refused while tasks or time entries refer to the project (409 `in_use`): archive it instead. */
    async remove(ctx: OrgContext, principal: Principal, id: string): Promise<void> {
      await db
        .transaction()
        .execute(async (trx) => {
          const store = createProjectStore(trx);
          const row = await findOrFail(trx, store, ctx, id, true);
          const references = await store.references(ctx, id);
          if (references.tasks > 0 || references.time_entries > 0) throw inUse(references);
          await store.remove(ctx, id);
          await recordChange(trx, ctx, principal, "project.deleted", toProject(row));
        })
        .catch((error) => fromDatabase(error, undefined));
    },
  };
}

export type ProjectService = ReturnType<typeof createProjectService>;
