import type { Principal } from "../../platform/auth/authenticator.js";
import { checkPrecondition } from "../../platform/conditional.js";
import type { Db } from "../../platform/db/connection.js";
import { foreignKeyViolation } from "../../platform/db/errors.js";
import { ConflictError, projectArchived, ValidationError } from "../../platform/errors.js";
import { recordChange } from "../../platform/events.js";
import { newId } from "../../platform/ids.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { toTask } from "./format.js";
import type { CreateTaskBody, Task, UpdateTaskBody } from "./schemas.js";
import { createTaskStore, type TaskFields, type TaskStore } from "./store.js";

// Ids of another organization are "not found" too: a 400 must not reveal that they exist elsewhere.
const noSuchProject = () =>
  new ValidationError("project_id", "project_id: no such project in this organization", "not_found");
const notAMember = () =>
  new ValidationError("assignee_id", "assignee_id: not a member of this organization", "not_found");

function inUse(timeEntries?: number) {
  return new ConflictError(
    "Time entries are booked on this task: it cannot move to another project or be deleted",
    "in_use",
    timeEntries === undefined ? {} : { time_entries: timeEntries },
  );
}

/** The database's foreign keys back up the checks for writes racing with deletions. */
function fromDatabase(error: unknown): never {
  const constraint = foreignKeyViolation(error);
  if (constraint === "tasks_organization_id_project_id_fkey") throw noSuchProject();
  if (constraint === "tasks_organization_id_assignee_id_fkey") throw notAMember();
  if (constraint !== null) throw inUse();
  throw error;
}

const trimmed = <T extends { title?: string }>(body: T): T =>
  body.title === undefined ? body : { ...body, title: body.title.trim() };

export function createTaskService(deps: { db: Db }) {
  const { db } = deps;

  async function findOrFail(conn: Db, store: TaskStore, ctx: OrgContext, id: string, forUpdate = false) {
    const row =
      (await store.find(ctx, id, { forUpdate })) ??
      (await notFoundOrForeign(conn, ctx, "tasks", "id", id, "task"));
    // Locked for a write: the request's If-Match is answered against what GET shows (SPEC §8).
    if (forUpdate) checkPrecondition(ctx, toTask(row));
    return row;
  }

  async function checkReferences(store: TaskStore, ctx: OrgContext, fields: Partial<TaskFields>) {
    if (fields.project_id !== undefined) {
      const status = await store.projectStatus(ctx, fields.project_id);
      if (status === undefined) throw noSuchProject();
      if (status === "archived") throw projectArchived("project_id");
    }
    if (fields.assignee_id) {
      const status = await store.memberStatus(ctx, fields.assignee_id);
      if (status === undefined) throw notAMember();
      if (status !== "active") {
        throw new ValidationError(
          "assignee_id",
          "assignee_id: this member is deactivated and cannot take tasks",
          "inactive_member",
        );
      }
    }
  }

  return {
    async list(ctx: OrgContext, query: Record<string, unknown>) {
      const { rows, pagination } = await createTaskStore(db).list(ctx, query);
      return { items: rows.map(toTask), pagination };
    },

    async get(ctx: OrgContext, id: string): Promise<Task> {
      return toTask(await findOrFail(db, createTaskStore(db), ctx, id));
    },

    async create(ctx: OrgContext, principal: Principal, body: CreateTaskBody): Promise<Task> {
      const fields = trimmed(body);
      return db
        .transaction()
        .execute(async (trx) => {
          const store = createTaskStore(trx);
          await checkReferences(store, ctx, fields);
          const id = newId("task");
          await store.insert(ctx, id, fields);
          return recordChange(
            trx,
            ctx,
            principal,
            "task.created",
            toTask(await findOrFail(trx, store, ctx, id)),
          );
        })
        .catch(fromDatabase);
    },

    /** Moving a task with booked time would split its entries from their project: 409 `in_use`. */
    async update(ctx: OrgContext, principal: Principal, id: string, body: UpdateTaskBody): Promise<Task> {
      const fields = trimmed(body);
      return db
        .transaction()
        .execute(async (trx) => {
          const store = createTaskStore(trx);
          const current = await findOrFail(trx, store, ctx, id, true);
          await checkReferences(store, ctx, fields);
          if (fields.project_id !== undefined && fields.project_id !== current.project_id) {
            const timeEntries = await store.countTimeEntries(ctx, id);
            if (timeEntries > 0) throw inUse(timeEntries);
          }
          await store.update(ctx, id, fields);
          return recordChange(
            trx,
            ctx,
            principal,
            "task.updated",
            toTask(await findOrFail(trx, store, ctx, id)),
          );
        })
        .catch(fromDatabase);
    },

    async remove(ctx: OrgContext, principal: Principal, id: string): Promise<void> {
      await db
        .transaction()
        .execute(async (trx) => {
          const store = createTaskStore(trx);
          const row = await findOrFail(trx, store, ctx, id, true);
          const timeEntries = await store.countTimeEntries(ctx, id);
          if (timeEntries > 0) throw inUse(timeEntries);
          await store.remove(ctx, id);
          await recordChange(trx, ctx, principal, "task.deleted", toTask(row));
        })
        .catch(fromDatabase);
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;
