import { useQuery } from "@tanstack/react-query";
import { actingLiveOrgId, all, api, liveApi } from "./client";

/**
 * The lists many screens pick from (projects in the timer, clients in reports, …), each fetched
 * once and shared through the query cache. Every list is read whole: an organization's catalogue
 * is small next to its time entries.
 */
export const useProjects = () =>
  useQuery({ queryKey: ["projects"], queryFn: () => all(api.projects.list({ per_page: 100 })) });

export const useClients = () =>
  useQuery({ queryKey: ["clients"], queryFn: () => all(api.clients.list({ per_page: 100 })) });

export const useTasks = () =>
  useQuery({ queryKey: ["tasks"], queryFn: () => all(api.tasks.list({ per_page: 100 })) });

export const useTags = () =>
  useQuery({ queryKey: ["tags"], queryFn: () => all(api.tags.list({ per_page: 100 })) });

export const useSettings = () => useQuery({ queryKey: ["settings"], queryFn: () => api.settings.retrieve() });

export const useMembers = () =>
  useQuery({ queryKey: ["members"], queryFn: () => all(api.users.list({ per_page: 100 })) });

/** id → name, for showing a project, client, tag or person by name. */
export function namesOf<T extends { id: string }>(items: T[] | undefined, name: (item: T) => string) {
  return new Map((items ?? []).map((item) => [item.id, name(item)]));
}

/** Every organization the person belongs to, with their role in each (the switcher's list). */
export const useOrganizations = () =>
  useQuery({
    queryKey: ["organizations"],
    queryFn: async () => (await liveApi.organizations.list({ per_page: 100 })).data,
  });

/**
 * Whether the person is an owner or admin of the organization acted for: the roles that hold the
 * administrative scopes (OAuth apps, everyone's grants; SPEC §3). The API decides; this only
 * spares others a screen that would answer 403.
 */
export function useIsAdmin(orgId = actingLiveOrgId()): boolean {
  const role = useOrganizations().data?.find((org) => org.id === orgId)?.role;
  return role === "owner" || role === "admin";
}
