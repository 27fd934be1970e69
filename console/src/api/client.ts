/**
 * The one place the console meets the API: two @voltasis/sdk clients over a fetch that adds the
 * in-memory access token, asks for a new one once on a 401, and names the organization acted for.
 * `api` acts for the chosen organization, or its sandbox twin when test data is on; `liveApi`
 * always for the live organization (API keys and members belong to it alone, SPEC §8).
 */
import { type Pagination, Voltasis } from "@voltasis/sdk";
import { refreshSession, session } from "./session";

interface Acting {
  /** The live organization chosen in the switcher (the session's own until one is chosen). */
  liveOrgId: string | undefined;
  /** Its sandbox twin while test data is on. */
  sandboxOrgId: string | undefined;
}
const acting: Acting = { liveOrgId: undefined, sandboxOrgId: undefined };

export function actFor(next: Acting): void {
  Object.assign(acting, next);
}

export const actingLiveOrgId = (): string | undefined => acting.liveOrgId;

function sessionFetch(organizationOf: () => string | undefined): typeof fetch {
  return async (input, init = {}) => {
    const send = (token: string | undefined) => {
      const headers = new Headers(init.headers);
      if (token) headers.set("Authorization", `Bearer ${token}`);
      const organization = organizationOf();
      if (organization) headers.set("X-Organization-ID", organization);
      return fetch(input, { ...init, headers });
    };
    const response = await send(session.accessToken());
    if (response.status !== 401) return response;
    const token = await refreshSession();
    return token ? send(token) : response;
  };
}

const options = { apiKey: null, baseURL: window.location.origin, maxRetries: 1 } as const;

export const api = new Voltasis({
  ...options,
  fetch: sessionFetch(() => acting.sandboxOrgId ?? acting.liveOrgId),
});

export const liveApi = new Voltasis({ ...options, fetch: sessionFetch(() => acting.liveOrgId) });

/** Every item of a list, page after page (the SDK's lists are async iterables). */
export async function all<T>(list: AsyncIterable<T>, max = 1000): Promise<T[]> {
  const items: T[] = [];
  for await (const item of list) {
    items.push(item);
    if (items.length >= max) break;
  }
  return items;
}

/** One page of a list, as plain data for the query cache. */
export async function onePage<T>(list: PromiseLike<{ data: T[]; pagination: Pagination }>) {
  const page = await list;
  return { data: page.data, pagination: page.pagination };
}
