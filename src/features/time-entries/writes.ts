import type { Principal } from "../../platform/auth/authenticator.js";
import type { Db } from "../../platform/db/connection.js";
import { ConflictError, projectArchived, ValidationError } from "../../platform/errors.js";
import { recordEvent } from "../../platform/events.js";
import { notFoundOrForeign, type OrgContext } from "../../platform/tenancy.js";
import { toTimeEntry } from "./format.js";
import { fromDatabaseError, notFoundField, notOwner } from "./rules.js";
import type { TimeEntry } from "./schemas.js";
import {
  createTimeEntryStore,
  type EntrySettings,
  type EntryValues,
  type TimeEntryRow,
  type TimeEntryStore,
} from "./store.js";

/** SPEC §3: members see and edit their own entries; managers and above everyone's. */
export const seesEveryone = (principal: Pick<Principal, "role">) => principal.role !== "member";

/** A write in progress: its transaction, a store on it, and the organization's settings. */
export interface Write {
  trx: Db;
  store: TimeEntryStore;
  settings: EntrySettings;
}

/**
 * One transaction with the organization's settings read; database violations become API errors.
 * Inside a transaction already (v2's bulk writes run each item in the batch's), it joins it.
 */
export async function inTransaction<T>(db: Db, ctx: OrgContext, work: (w: Write) => Promise<T>): Promise<T> {
  const run = async (trx: Db) => {
    const store = createTimeEntryStore(trx);
    return work({ trx, store, settings: await store.settings(ctx) });
  };
  try {
    return await (db.isTransaction ? run(db) : db.transaction().execute(run));
  } catch (error) {
    throw fromDatabaseError(error);
  }
}

/** The entry if the caller may act on it: 403 for another organization's or another member's. */
export async function findActionable(
  conn: Db,
  store: TimeEntryStore,
  ctx: OrgContext,
  principal: Principal,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<TimeEntryRow> {
  const row = await store.find(ctx, id, options);
  if (!row) return notFoundOrForeign(conn, ctx, "time_entries", "id", id, "time entry");
  if (row.user_id !== principal.user.id && !seesEveryone(principal)) throw notOwner();
  return row;
}

/**
 * Checks the references of an entry as it will be written, all within the organization: an id
 * of another organization is "not found" like an unknown one, so nothing leaks.
 */
export async function resolveReferences(
  { store, settings }: Write,
  ctx: OrgContext,
  entry: {
    userId: string;
    projectId: string | null;
    taskId: string | null;
    inferProject: boolean;
    /** The project the entry is on before this write (none for a new entry). */
    previousProjectId?: string | null;
  },
  tagIds: string[] | undefined,
) {
  const member = await store.membership(ctx, entry.userId);
  if (!member) throw notFoundField("user_id", "member", entry.userId);
  let projectId = entry.projectId;
  if (entry.taskId) {
    const task = await store.task(ctx, entry.taskId);
    if (!task) throw notFoundField("task_id", "task", entry.taskId);
    if (projectId === null && entry.inferProject) projectId = task.project_id;
    if (task.project_id !== projectId) {
      throw new ValidationError(
        "task_id",
        `Task ${entry.taskId} does not belong to the entry's project ${projectId ?? "(none)"}`,
        "task_not_in_project",
      );
    }
  }
  const project = projectId ? await store.project(ctx, projectId) : undefined;
  if (projectId && !project) throw notFoundField("project_id", "project", projectId);
  // Entries already on an archived project stay editable; moving work onto one is refused.
  if (project?.status === "archived" && projectId !== entry.previousProjectId)
    throw projectArchived("project_id");
  if (tagIds) {
    const found = new Set(await store.existingTags(ctx, tagIds));
    const index = tagIds.findIndex((tagId) => !found.has(tagId));
    if (index >= 0) {
      throw new ValidationError(
        `tag_ids.${index}`,
        `No tag with id ${tagIds[index]} in this organization`,
        "not_found",
      );
    }
  }
  return { member, project, projectId, settings };
}

/** Stores the entry and its tags; with prevent_overlaps, refuses one that meets another of the user's. */
export async function saveEntry(
  w: Write,
  ctx: OrgContext,
  id: string,
  values: EntryValues,
  tagIds: string[] | undefined,
  isNew: boolean,
) {
  if (w.settings.prevent_overlaps) await w.store.lockUser(ctx, values.user_id);
  // Written before the overlap check so that a second running timer is refused by its index first.
  if (isNew) await w.store.insert(ctx, id, values);
  else await w.store.update(ctx, id, values);
  if (tagIds) await w.store.replaceTags(ctx, id, tagIds);
  if (w.settings.prevent_overlaps) {
    const other = await w.store.findOverlap(ctx, values.user_id, values.start_at, values.end_at, id);
    if (other) {
      throw new ConflictError("The entry overlaps another entry of the same user", "overlap", {
        time_entry_id: other,
      });
    }
  }
  const row = await w.store.find(ctx, id);
  return toTimeEntry(row as TimeEntryRow, w.settings.currency);
}

/** The outbox rows of an entry change, in the caller's transaction (SPEC §7). */
export async function recordEntryEvents(
  w: Write,
  ctx: OrgContext,
  principal: Principal,
  names: string[],
  entry: TimeEntry,
) {
  for (const name of names) {
    await recordEvent(w.trx, ctx, {
      name,
      resourceType: "time_entry",
      resourceId: entry.id,
      actorId: principal.user.id,
      data: entry,
    });
  }
}
