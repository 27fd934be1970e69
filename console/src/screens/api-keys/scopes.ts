import type { ApiKey } from "@voltasis/sdk";

export type Scope = ApiKey["scopes"][number];

export const COARSE_SCOPES = [
  ["read", "Read everything"],
  ["write", "Create and change (not administration)"],
  ["delete", "Delete (not administration)"],
  ["admin", "Everything, administration included"],
] as const satisfies ReadonlyArray<readonly [Scope, string]>;

const RESOURCES = {
  organization: ["read", "write"],
  users: ["read", "write", "delete"],
  "api-keys": ["read", "write", "delete"],
  webhooks: ["read", "write", "delete"],
  settings: ["read", "write"],
  clients: ["read", "write", "delete"],
  projects: ["read", "write", "delete"],
  tasks: ["read", "write", "delete"],
  tags: ["read", "write", "delete"],
  "time-entries": ["read", "write", "delete"],
  reports: ["read"],
  jobs: ["read", "write"],
  logs: ["read"],
  events: ["read"],
  "oauth-apps": ["read", "write", "delete"],
  "oauth-grants": ["read", "delete"],
} as const;

type Fine = {
  [R in keyof typeof RESOURCES]: `${(typeof RESOURCES)[R][number]}:${R}`;
}[keyof typeof RESOURCES];
// The compiler holds this list to the contract: a scope the SDK knows and this list lacks (or the
// reverse) fails the console's typecheck.
type Missing = Exclude<Scope, Fine | (typeof COARSE_SCOPES)[number][0]>;
type Unknown = Exclude<Fine, Scope>;
const complete: [Missing, Unknown] extends [never, never] ? true : never = true;
void complete;

export const FINE_SCOPES = Object.entries(RESOURCES).map(([resource, actions]) => ({
  resource,
  scopes: actions.map((action) => `${action}:${resource}` as Scope),
}));
