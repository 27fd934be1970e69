import type { Role } from "../db/schema.js";

/**
 * SPEC §3 scopes. Fine scopes are `<action>:<resource>` (seed 001); the coarse `read`, `write`,
 * `delete` and `admin` (seed 002) stand for sets of them.
 */
const CATALOG = {
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
  // Third-party apps the organization registered (admins), and the consents people gave apps.
  "oauth-apps": ["read", "write", "delete"],
  "oauth-grants": ["read", "delete"],
} as const;

type Catalog = typeof CATALOG;
export type ScopeResource = keyof Catalog;
export type FineScope = { [R in ScopeResource]: `${Catalog[R][number]}:${R}` }[ScopeResource];
export type CoarseScope = "read" | "write" | "delete" | "admin";
export type Scope = FineScope | CoarseScope;

/** Changing these is administration: coarse `write`/`delete` leave them out, `admin` covers them. */
const ADMINISTRATIVE: readonly ScopeResource[] = [
  "organization",
  "users",
  "api-keys",
  "webhooks",
  "settings",
  "oauth-apps",
  "oauth-grants",
];

export const FINE_SCOPES: readonly FineScope[] = Object.entries(CATALOG).flatMap(([resource, actions]) =>
  actions.map((action) => `${action}:${resource}` as FineScope),
);
export const ALL_SCOPES: readonly Scope[] = ["read", "write", "delete", "admin", ...FINE_SCOPES];

export function isScope(value: string): value is Scope {
  return (ALL_SCOPES as readonly string[]).includes(value);
}

/** The fine scopes a held scope stands for. */
export function expandScope(scope: Scope): FineScope[] {
  if (scope === "admin") return [...FINE_SCOPES];
  if (scope === "read") return FINE_SCOPES.filter((s) => s.startsWith("read:"));
  if (scope === "write" || scope === "delete") {
    return FINE_SCOPES.filter(
      (s) =>
        s.startsWith(`${scope}:`) && !ADMINISTRATIVE.includes(s.slice(scope.length + 1) as ScopeResource),
    );
  }
  return [scope];
}

const fine = (actions: string[], resources: ScopeResource[]) =>
  resources.flatMap((r) => actions.map((a) => `${a}:${r}`)).filter((s): s is FineScope => isScope(s));

const MEMBER: FineScope[] = [
  ...fine(["read"], ["organization", "users", "settings", "clients", "projects", "tasks", "tags", "reports"]),
  // Members act on their own time entries, keys and jobs; services narrow to the owner.
  ...fine(["read", "write", "delete"], ["time-entries", "api-keys", "jobs"]),
  // Everyone sees and revokes the apps they authorized (features/oauth narrows to their own).
  ...fine(["read", "delete"], ["oauth-grants"]),
];
const MANAGER: FineScope[] = [
  ...MEMBER,
  ...fine(["read", "write", "delete"], ["clients", "projects", "tasks", "tags"]),
  "read:events",
];

/** What each role may do at most (SPEC §3 roles); a credential never exceeds its user's role. */
const ROLE_CEILING: Record<Role, ReadonlySet<FineScope>> = {
  owner: new Set(FINE_SCOPES),
  admin: new Set(FINE_SCOPES),
  manager: new Set(MANAGER),
  member: new Set(MEMBER),
};

export function roleScopes(role: Role): FineScope[] {
  return [...ROLE_CEILING[role]];
}

/** The requested scopes that the role could not hold (empty when all fit). */
export function scopesBeyondRole(role: Role, requested: readonly Scope[]): Scope[] {
  return requested.filter((scope) => expandScope(scope).some((s) => !ROLE_CEILING[role].has(s)));
}

/**
 * The fine scopes a credential may use: those its own scopes grant that the current role of the
 * user behind it also allows (a demoted user's keys shrink with them). Computed once per
 * credential resolution, so a request's check is one set lookup.
 */
export function effectiveScopes(held: readonly Scope[], role: Role): ReadonlySet<FineScope> {
  const ceiling = ROLE_CEILING[role];
  return new Set(held.flatMap(expandScope).filter((scope) => ceiling.has(scope)));
}
