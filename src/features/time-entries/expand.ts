import { type Static, Type } from "@sinclair/typebox";
import type { Principal } from "../../platform/auth/authenticator.js";
import type { FineScope } from "../../platform/auth/scopes.js";
import type { Db } from "../../platform/db/connection.js";
import { ForbiddenError } from "../../platform/errors.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { createClientService } from "../clients/service.js";
import { createMemberService } from "../members/service.js";
import { createProjectService } from "../projects/service.js";
import { createTagService } from "../tags/service.js";
import { createTaskService } from "../tasks/service.js";
import { type TimeEntry, TimeEntrySchema } from "./schemas.js";

/**
 * v2's `expand` (SPEC §8): a time entry with the objects it refers to, each exactly as its own
 * endpoint shows it, so a client draws a timesheet in one request. Each expansion needs the scope
 * that reads that resource: an expansion never shows what the credential could not read itself.
 */
const EXPANSIONS = {
  project: "read:projects",
  client: "read:clients",
  task: "read:tasks",
  tags: "read:tags",
  user: "read:users",
} as const satisfies Record<string, FineScope>;
type Expansion = keyof typeof EXPANSIONS;
const NAMES = Object.keys(EXPANSIONS) as Expansion[];

export const ExpandQuery = Type.Optional(
  Type.String({
    pattern: `^(${NAMES.join("|")})(,(${NAMES.join("|")}))*$`,
    maxLength: 100,
    description: `Related objects to include, comma-separated: ${NAMES.join(", ")}`,
    examples: ["project,tags"],
  }),
);

const nullableRef = (id: string) => Type.Optional(Type.Union([Type.Ref(id), Type.Null()]));
export const ExpandedTimeEntrySchema = Type.Object(
  {
    ...TimeEntrySchema.properties,
    project: nullableRef("Project"),
    client: nullableRef("Client"),
    task: nullableRef("Task"),
    tags: Type.Optional(Type.Array(Type.Ref("Tag"))),
    user: nullableRef("Member"),
  },
  {
    $id: "ExpandedTimeEntry",
    additionalProperties: false,
    description: "A time entry with the related objects asked for in `expand`",
  },
);
export type ExpandedTimeEntry = Static<typeof ExpandedTimeEntrySchema>;

export function parseExpand(principal: Principal, raw: string | undefined): Expansion[] {
  const wanted = [...new Set((raw ?? "").split(",").filter(Boolean))] as Expansion[];
  for (const name of wanted) {
    const scope = EXPANSIONS[name];
    if (!principal.allowed.has(scope)) {
      throw new ForbiddenError(`expand=${name} needs the scope ${scope}`, {
        reason: "insufficient_scope",
        required_scope: scope,
        field: "expand",
      });
    }
  }
  return wanted;
}

/** Adds the expansions to the entries; every distinct id is read once, all side by side. */
export async function expandEntries(
  db: Db,
  ctx: OrgContext,
  entries: TimeEntry[],
  wanted: Expansion[],
): Promise<ExpandedTimeEntry[]> {
  if (wanted.length === 0) return entries;
  const services = {
    project: createProjectService({ db }),
    client: createClientService({ db }),
    task: createTaskService({ db }),
    tag: createTagService({ db }),
    // Reading members forgets nothing; the authenticator is needed by their writes only.
    user: createMemberService({ db, authenticator: { forget: () => {} } }),
  };
  const once = <T>(read: (id: string) => Promise<T>) => {
    const seen = new Map<string, Promise<T>>();
    return (id: string) => {
      const known = seen.get(id);
      if (known) return known;
      const found = read(id);
      seen.set(id, found);
      return found;
    };
  };
  const project = once((id) => services.project.get(ctx, id));
  const client = once((id) => services.client.get(ctx, id));
  const task = once((id) => services.task.get(ctx, id));
  const tag = once((id) => services.tag.get(ctx, id));
  const user = once((id) => services.user.get(ctx, id));
  const has = (name: Expansion) => wanted.includes(name);
  return Promise.all(
    entries.map(async (entry) => {
      const expanded: ExpandedTimeEntry = { ...entry };
      const entryProject = entry.project_id ? await project(entry.project_id) : null;
      if (has("project")) expanded.project = entryProject;
      if (has("client"))
        expanded.client = entryProject?.client_id ? await client(entryProject.client_id) : null;
      if (has("task")) expanded.task = entry.task_id ? await task(entry.task_id) : null;
      if (has("tags")) expanded.tags = await Promise.all(entry.tag_ids.map(tag));
      if (has("user")) expanded.user = await user(entry.user_id);
      return expanded;
    }),
  );
}
