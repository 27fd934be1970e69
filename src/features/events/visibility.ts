import { type ExpressionBuilder, sql } from "kysely";
import type { Principal } from "../../platform/auth/authenticator.js";
import type { FineScope } from "../../platform/auth/scopes.js";
import type { Database } from "../../platform/db/schema.js";

/**
 * SPEC §3: an event shows a resource as the API showed it, so a credential sees the events of the
 * resources it may read, and no others (a manager reads `read:events` but not webhooks or other
 * people's keys). A resource type missing here is hidden: new kinds of events stay private until
 * someone decides who may read them.
 */
const READ_SCOPE: Readonly<Record<string, FineScope>> = {
  client: "read:clients",
  project: "read:projects",
  task: "read:tasks",
  tag: "read:tags",
  time_entry: "read:time-entries",
  settings: "read:settings",
  organization: "read:organization",
  member: "read:users",
  invitation: "read:users",
  api_key: "read:api-keys",
  webhook: "read:webhooks",
  job: "read:jobs",
  sandbox: "read:organization",
  oauth_app: "read:oauth-apps",
  oauth_grant: "read:oauth-grants",
};

/** Resource types whose records are partly private: below an admin (or manager), only one's own. */
const OWN_ONLY: Readonly<Record<string, { roles: readonly string[]; ownerField: string }>> = {
  // api-keys: owners and admins manage every key; others their own (features/api-keys).
  api_key: { roles: ["owner", "admin"], ownerField: "created_by" },
  // time entries and jobs: managers and above see everyone's.
  time_entry: { roles: ["owner", "admin", "manager"], ownerField: "user_id" },
  job: { roles: ["owner", "admin", "manager"], ownerField: "created_by" },
  // OAuth grants: owners and admins see every person's (features/oauth).
  oauth_grant: { roles: ["owner", "admin"], ownerField: "user_id" },
};

export interface EventVisibility {
  /** Resource types visible in full. */
  all: string[];
  /** Resource types visible only where `data.<ownerField>` is the caller. */
  own: Array<{ type: string; ownerField: string }>;
  userId: string;
}

export function eventVisibility(principal: Principal): EventVisibility {
  const visible: EventVisibility = { all: [], own: [], userId: principal.user.id };
  for (const [type, scope] of Object.entries(READ_SCOPE)) {
    if (!principal.allowed.has(scope)) continue;
    const partial = OWN_ONLY[type];
    if (partial && !partial.roles.includes(principal.role)) {
      visible.own.push({ type, ownerField: partial.ownerField });
    } else visible.all.push(type);
  }
  return visible;
}

/** The SQL condition on `events as e` that keeps what `visibility` allows. */
export function visibleEvents(visibility: EventVisibility) {
  return (eb: ExpressionBuilder<Database & { e: Database["events"] }, "e">) => {
    const conditions = [];
    if (visibility.all.length > 0) conditions.push(eb("e.resource_type", "in", visibility.all));
    for (const { type, ownerField } of visibility.own) {
      conditions.push(
        eb.and([eb("e.resource_type", "=", type), eb(sql`e.data ->> ${ownerField}`, "=", visibility.userId)]),
      );
    }
    // An empty OR is `false` in Kysely: a credential that may read nothing sees no event.
    return eb.or(conditions);
  };
}

/**
 * The same rule as `visibleEvents`, for an event already in memory (the live stream relays events
 * as they commit, without asking the database per stream). visibility.test.ts holds the two
 * forms to one answer.
 */
export function canSeeEvent(
  visibility: EventVisibility,
  event: { resource_type: string; data: unknown },
): boolean {
  if (visibility.all.includes(event.resource_type)) return true;
  const partial = visibility.own.find((own) => own.type === event.resource_type);
  if (!partial) return false;
  // `data ->> field` in SQL: only an object's string member can equal a user id.
  const data = event.data;
  if (typeof data !== "object" || data === null || Array.isArray(data)) return false;
  return (data as Record<string, unknown>)[partial.ownerField] === visibility.userId;
}
