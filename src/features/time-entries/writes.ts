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
 * `alongside` reads what the write needs in the same round trip as the settings (postgres.js
 * pipelines queries sent together on one connection): round trips are most of a write's cost.
 */
export async function inTransaction<T, A = undefined>(
  db: Db,
  ctx: OrgContext,
  work: (w: Write, read: NoInfer<A>) => Promise<T>,
  alongside?: (store: TimeEntryStore) => Promise<A>,
  /** What the caller read already, before the transaction: it is not read again. */
  known?: { settings: EntrySettings; read: A },
): Promise<T> {
  const run = async (trx: Db) => {
    const store = createTimeEntryStore(trx);
    const [settings, read] = known
      ? [known.settings, known.read]
      : await Promise.all([store.settings(ctx), alongside?.(store)]);
    return work({ trx, store, settings }, read as A);
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

/** The references of an entry as it will be written: who, on which task and project, with which tags. */
export interface EntryReferences {
  userId: string;
  projectId: string | null;
  taskId: string | null;
  inferProject: boolean;
  /** The project the entry is on before this write (none for a new entry). */
  previousProjectId?: string | null;
}

/** What lookUpReferences found; checkReferences judges it. */
export interface FoundReferences {
  member: Awaited<ReturnType<TimeEntryStore["membership"]>>;
  task: Awaited<ReturnType<TimeEntryStore["task"]>>;
  project: Awaited<ReturnType<TimeEntryStore["project"]>>;
  projectId: string | null;
  existingTags: string[] | undefined;
}

/**
 * Reads every reference at once (one round trip); the project a task implies, after it. `member`
 * is the membership when the caller reads it with something else.
 */
export async function lookUpReferences(
  store: TimeEntryStore,
  ctx: OrgContext,
  entry: EntryReferences,
  tagIds: string[] | undefined,
  member: Promise<FoundReferences["member"]> = store.membership(ctx, entry.userId),
): Promise<FoundReferences> {
  const [found, task, named, existingTags] = await Promise.all([
    member,
    entry.taskId ? store.task(ctx, entry.taskId) : undefined,
    entry.projectId ? store.project(ctx, entry.projectId) : undefined,
    tagIds ? store.existingTags(ctx, tagIds) : undefined,
  ]);
  let projectId = entry.projectId;
  if (task && projectId === null && entry.inferProject) projectId = task.project_id;
  const project =
    projectId === entry.projectId ? named : projectId ? await store.project(ctx, projectId) : undefined;
  return { member: found, task, project, projectId, existingTags };
}

/**
 * Checks the references of an entry as it will be written, all within the organization: an id
 * of another organization is "not found" like an unknown one, so nothing leaks.
 */
export function checkReferences(
  settings: EntrySettings,
  entry: EntryReferences,
  tagIds: string[] | undefined,
  found: FoundReferences,
) {
  const { member, task, project, projectId } = found;
  if (!member) throw notFoundField("user_id", "member", entry.userId);
  if (entry.taskId) {
    if (!task) throw notFoundField("task_id", "task", entry.taskId);
    if (task.project_id !== projectId) {
      throw new ValidationError(
        "task_id",
        `Task ${entry.taskId} does not belong to the entry's project ${projectId ?? "(none)"}`,
        "task_not_in_project",
      );
    }
  }
  if (projectId && !project) throw notFoundField("project_id", "project", projectId);
  // Entries already on an archived project stay editable; moving work onto one is refused.
  if (project?.status === "archived" && projectId !== entry.previousProjectId)
    throw projectArchived("project_id");
  if (tagIds) {
    const existing = new Set(found.existingTags);
    const index = tagIds.findIndex((tagId) => !existing.has(tagId));
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

/** Looks the references up and checks them. */
export async function resolveReferences(
  w: Write,
  ctx: OrgContext,
  entry: EntryReferences,
  tagIds: string[] | undefined,
) {
  return checkReferences(w.settings, entry, tagIds, await lookUpReferences(w.store, ctx, entry, tagIds));
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
  // A new entry without tags is what its INSERT returns: no read after the write.
  const inserted = isNew ? await w.store.insert(ctx, id, values) : undefined;
  if (!isNew) await w.store.update(ctx, id, values);
  if (tagIds?.length || (tagIds && !isNew)) await w.store.replaceTags(ctx, id, tagIds);
  if (w.settings.prevent_overlaps) {
    const other = await w.store.findOverlap(ctx, values.user_id, values.start_at, values.end_at, id);
    if (other) {
      throw new ConflictError("The entry overlaps another entry of the same user", "overlap", {
        time_entry_id: other,
      });
    }
  }
  const row = inserted && !tagIds?.length ? inserted : await w.store.find(ctx, id);
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
