import { expandScope, type Scope, type ScopeResource } from "./scopes.js";

/** What each resource of SPEC §3's scopes is called on a consent screen. */
const NOUNS: Record<ScopeResource, string> = {
  organization: "the organization's profile",
  users: "members",
  "api-keys": "API keys",
  webhooks: "webhooks",
  settings: "settings",
  clients: "clients",
  projects: "projects",
  tasks: "tasks",
  tags: "tags",
  "time-entries": "time entries",
  reports: "reports",
  jobs: "exports and imports",
  logs: "request and audit logs",
  events: "events",
  "oauth-apps": "OAuth apps",
  "oauth-grants": "the apps people authorized",
};

const VERBS = { read: "See", write: "Create and change", delete: "Delete" } as const;

function list(nouns: string[]): string {
  return nouns.length <= 1 ? (nouns[0] ?? "") : `${nouns.slice(0, -1).join(", ")} and ${nouns.at(-1)}`;
}

/**
 * A scope in words, for the person deciding whether to grant it (the consent screen). A coarse
 * scope is spelled out from the fine scopes it stands for, so the words cannot drift from what
 * the scope allows.
 */
export function describeScope(scope: Scope): string {
  if (scope === "admin") return "Do everything you can do in the organization, including administration";
  const fine = expandScope(scope);
  const [action] = (fine[0] ?? scope).split(":") as [keyof typeof VERBS];
  const nouns = fine.map((s) => NOUNS[s.slice(s.indexOf(":") + 1) as ScopeResource]);
  return `${VERBS[action]} ${list(nouns)}`;
}
