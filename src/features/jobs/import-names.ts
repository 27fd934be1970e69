import type { FineScope } from "../../platform/auth/scopes.js";
import type { Db } from "../../platform/db/connection.js";
import { rethrowDuplicateName } from "../../platform/db/errors.js";
import { ConflictError, ForbiddenError, ValidationError } from "../../platform/errors.js";
import { recordChange } from "../../platform/events.js";
import { newId } from "../../platform/ids.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { toClient } from "../clients/format.js";
import { createClientStore } from "../clients/store.js";
import { toProject } from "../projects/format.js";
import { createProjectStore, type ProjectRow } from "../projects/store.js";
import { toTag } from "../tags/format.js";
import { createTagStore } from "../tags/store.js";
import { toTask } from "../tasks/format.js";
import { createTaskStore, type TaskRow } from "../tasks/store.js";
import type { TimeEntryStore } from "../time-entries/store.js";
import type { ImportStore } from "./import-store.js";
import { clip } from "./sources/cell-problems.js";
import type { NormalizedRow } from "./sources/index.js";

type Kind = "client" | "project" | "task" | "tag";

/** What each kind of resource is called in the file, may be named, and needs to be created. */
const KINDS: Record<Kind, { field: string; label: string; maxLength: number; scope: FineScope }> = {
  client: { field: "client", label: "Client", maxLength: 200, scope: "write:clients" },
  project: { field: "project", label: "Project", maxLength: 200, scope: "write:projects" },
  task: { field: "task", label: "Task", maxLength: 500, scope: "write:tasks" },
  tag: { field: "tags", label: "Tag", maxLength: 100, scope: "write:tags" },
};

interface Named {
  id: string;
  name: string;
  /** Planned by this import: created only if an imported entry uses it. */
  isNew: boolean;
}
interface NamedProject extends Named {
  clientId: string | null;
  clientName: string | null;
  clientKey: string | null;
}

export interface ResolvedNames {
  projectId: string | null;
  taskId: string | null;
  tagIds: string[];
}

export interface CreatedCounts {
  clients: number;
  projects: number;
  tasks: number;
  tags: number;
}

/** The texts of a row that `planNames` needs lower-cased. */
export const nameTexts = (entry: NormalizedRow) =>
  [entry.client, entry.project, entry.task, ...entry.tags].filter((text): text is string => !!text);

const distinct = (values: Array<string | undefined>) => [
  ...new Set(values.filter((value): value is string => value !== undefined)),
];

/**
 * Matches the clients, projects, tasks and tags a file names to the organization's (by name,
 * ignoring case) and plans the missing ones, each under what the file puts it: a project under
 * its row's client, a task under its project. Planned resources get their ids now and are
 * created only for the rows that end up imported (`create`), so a refused row leaves nothing.
 * Creating needs the scope the API would ask for: without it, the row is an error.
 */
export async function planNames(
  store: ImportStore,
  ctx: OrgContext,
  entries: readonly NormalizedRow[],
  allowed: ReadonlySet<FineScope>,
  lower: (text: string) => string,
) {
  const keysOf = (pick: (entry: NormalizedRow) => Array<string | undefined>) =>
    distinct(entries.flatMap(pick).map((text) => (text === undefined ? undefined : lower(text))));
  const [clientRows, projectRows, tagRows] = await Promise.all([
    store.clients(
      ctx,
      keysOf((e) => [e.client]),
    ),
    store.projects(
      ctx,
      keysOf((e) => [e.project]),
    ),
    store.tags(
      ctx,
      keysOf((e) => e.tags),
    ),
  ]);
  const clients = new Map<string, Named>(clientRows.map((c) => [c.key, { ...c, isNew: false }]));
  const projects = new Map<string, NamedProject>(
    projectRows.map((p) => [
      p.key,
      {
        id: p.id,
        name: p.name,
        isNew: false,
        clientId: p.client_id,
        clientName: p.client_name,
        clientKey: p.client_key,
      },
    ]),
  );
  const tags = new Map<string, Named>(tagRows.map((t) => [t.key, { id: t.id, name: t.name, isNew: false }]));
  const tasks = new Map<string, Named>();
  const taskRows = await store.tasks(
    ctx,
    projectRows.map((p) => p.id),
    keysOf((e) => [e.task]),
  );
  for (const task of taskRows) {
    const key = `${task.project_id}\n${task.key}`;
    if (!tasks.has(key)) tasks.set(key, { id: task.id, name: task.title, isNew: false });
  }
  const newTasks = new Map<string, string>();

  /** The resource of this name, or a new one if the credential may create it. */
  function known<T extends Named>(
    kind: Kind,
    found: Map<string, T>,
    key: string,
    name: string,
    plan: () => T,
  ) {
    const existing = found.get(key);
    if (existing) return existing;
    const { field, label, maxLength, scope } = KINDS[kind];
    if (Array.from(name).length > maxLength) {
      throw new ValidationError(
        field,
        `${label} "${clip(name)}" is longer than ${maxLength} characters`,
        "too_long",
      );
    }
    if (!allowed.has(scope)) {
      throw new ForbiddenError(
        `${label} "${clip(name)}" does not exist here, and creating it needs the scope ${scope}, ` +
          "which the job's credential lacks",
        { reason: "insufficient_scope", field, required_scope: scope },
      );
    }
    const planned = plan();
    found.set(key, planned);
    return planned;
  }

  function project(name: string, clientName: string | undefined): NamedProject {
    const clientKey = clientName === undefined ? null : lower(clientName);
    const found = known("project", projects, lower(name), name, () => {
      const client =
        clientName === undefined || clientKey === null
          ? null
          : known("client", clients, clientKey, clientName, () => ({
              id: newId("client"),
              name: clientName,
              isNew: true,
            }));
      return {
        id: newId("project"),
        name,
        isNew: true,
        clientId: client?.id ?? null,
        clientName: client?.name ?? null,
        clientKey,
      };
    });
    // Project names are unique in an organization: one project cannot also be another client's.
    if (clientKey !== null && found.clientKey !== null && found.clientKey !== clientKey) {
      throw new ConflictError(
        `Project "${found.name}" belongs to client "${found.clientName}" here, not to "${clientName}"`,
        "client_mismatch",
        { field: "client" },
      );
    }
    return found;
  }

  const plannedProjects = () => new Map([...projects.values()].filter((p) => p.isNew).map((p) => [p.id, p]));
  const plannedIds = (map: Map<string, Named>) =>
    new Set([...map.values()].filter((n) => n.isNew).map((n) => n.id));

  return {
    /** The ids a row's names stand for, planning what is missing; throws the row's error. */
    resolve(entry: NormalizedRow): ResolvedNames {
      const found = entry.project === undefined ? null : project(entry.project, entry.client);
      let taskId: string | null = null;
      if (entry.task !== undefined) {
        if (!found) {
          throw new ValidationError(
            "task",
            `Task "${entry.task}" has no project; a task belongs to one`,
            "task_without_project",
          );
        }
        const title = entry.task;
        taskId = known("task", tasks, `${found.id}\n${lower(title)}`, title, () => {
          const id = newId("task");
          newTasks.set(id, found.id);
          return { id, name: title, isNew: true };
        }).id;
      }
      const tagIds = entry.tags.map(
        (name) => known("tag", tags, lower(name), name, () => ({ id: newId("tag"), name, isNew: true })).id,
      );
      return { projectId: found?.id ?? null, taskId, tagIds };
    },

    /** The entry store, seeing the planned resources as if they existed (active, no rates). */
    overlay(entries: TimeEntryStore): TimeEntryStore {
      return {
        ...entries,
        async project(c, id) {
          if (plannedProjects().has(id))
            return { id, billable: true, hourly_rate: null, status: "active" as const };
          return entries.project(c, id);
        },
        async task(c, id) {
          const projectId = newTasks.get(id);
          return projectId ? { id, project_id: projectId } : entries.task(c, id);
        },
        async existingTags(c, ids) {
          const planned = plannedIds(tags);
          return [
            ...ids.filter((id) => planned.has(id)),
            ...(await entries.existingTags(
              c,
              ids.filter((id) => !planned.has(id)),
            )),
          ];
        },
      };
    },

    /**
     * Creates the planned resources that `imported` use, in `trx`, each with its `<resource>.created`
     * event as the API would record it. Returns how many of each.
     */
    async create(trx: Db, actorId: string, imported: readonly ResolvedNames[]): Promise<CreatedCounts> {
      const actor = { user: { id: actorId } };
      const announce = <T extends { id: string }>(event: string, resource: T) =>
        recordChange(trx, ctx, actor, event, resource);
      const newProjects = plannedProjects();
      const newClients = new Map([...clients.values()].filter((c) => c.isNew).map((c) => [c.id, c]));
      const newTagsById = new Map([...tags.values()].filter((t) => t.isNew).map((t) => [t.id, t]));
      const newTaskNames = new Map([...tasks.values()].filter((t) => t.isNew).map((t) => [t.id, t.name]));
      const used = {
        projects: distinct(imported.map((r) => r.projectId ?? undefined)).filter((id) => newProjects.has(id)),
        tasks: distinct(imported.map((r) => r.taskId ?? undefined)).filter((id) => newTasks.has(id)),
        tags: distinct(imported.flatMap((r) => r.tagIds)).filter((id) => newTagsById.has(id)),
      };
      const usedClients = distinct(
        used.projects.map((id) => newProjects.get(id)?.clientId ?? undefined),
      ).filter((id) => newClients.has(id));
      for (const id of usedClients) {
        const name = newClients.get(id)?.name as string;
        const row = await createClientStore(trx)
          .insert(ctx, id, { name })
          .catch((error) => rethrowDuplicateName(error, "clients_name_key", "client", name));
        await announce("client.created", toClient(row));
      }
      const projectStore = createProjectStore(trx);
      for (const id of used.projects) {
        const planned = newProjects.get(id) as NamedProject;
        await projectStore
          .insert(ctx, id, { name: planned.name, client_id: planned.clientId })
          .catch((error) => rethrowDuplicateName(error, "projects_name_key", "project", planned.name));
        await announce("project.created", toProject((await projectStore.find(ctx, id)) as ProjectRow));
      }
      const taskStore = createTaskStore(trx);
      for (const id of used.tasks) {
        await taskStore.insert(ctx, id, {
          title: newTaskNames.get(id) as string,
          project_id: newTasks.get(id) as string,
        });
        await announce("task.created", toTask((await taskStore.find(ctx, id)) as TaskRow));
      }
      for (const id of used.tags) {
        const name = newTagsById.get(id)?.name as string;
        const row = await createTagStore(trx)
          .insert(ctx, id, name)
          .catch((error) => rethrowDuplicateName(error, "tags_name_key", "tag", name));
        await announce("tag.created", toTag(row));
      }
      return {
        clients: usedClients.length,
        projects: used.projects.length,
        tasks: used.tasks.length,
        tags: used.tags.length,
      };
    },
  };
}

export type NamePlan = Awaited<ReturnType<typeof planNames>>;
