/**
 * The signed-in person, held in memory only. The refresh token never reaches this page: the server
 * keeps it in an HttpOnly cookie scoped to /console/session (src/features/console/session-routes.ts)
 * and hands out a 24-hour access token, which lives here and is gone on reload; a reload asks the
 * cookie for a new one. Those session calls are the console's own endpoints, not the API, so they
 * are plain fetches; every API call goes through @voltasis/sdk (api/client.ts).
 */
import type { Organization, User } from "@voltasis/sdk";

export interface SignedIn {
  status: "signed-in";
  accessToken: string;
  user: User;
  /** The organization the session was opened for; the switcher may act for another. */
  organization: Organization;
}
export type SessionState = { status: "loading" } | { status: "signed-out" } | SignedIn;

export class SessionError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field: string | undefined,
  ) {
    super(message);
  }
}

let state: SessionState = { status: "loading" };
const listeners = new Set<() => void>();

function set(next: SessionState) {
  state = next;
  for (const listener of listeners) listener();
}

export const session = {
  get: () => state,
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  accessToken: () => (state.status === "signed-in" ? state.accessToken : undefined),
};

async function post(path: string, body?: unknown, token?: string): Promise<Response> {
  const headers: Record<string, string> = { "X-Voltasis-Console": "1", Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(`/console/session/${path}`, {
    method: "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
}

async function open(path: string, body: unknown, token?: string): Promise<void> {
  const response = await post(path, body, token);
  const json = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = json?.error;
    throw new SessionError(
      error?.message ?? `The server answered ${response.status}`,
      response.status,
      typeof error?.details?.field === "string" ? error.details.field : undefined,
    );
  }
  const data = json.data;
  set({
    status: "signed-in",
    accessToken: data.access_token,
    user: data.user,
    organization: data.organization,
  });
}

let refreshing: Promise<string | undefined> | undefined;

/**
 * A new access token from the cookie. One at a time per page, and one at a time across the
 * console's tabs (Web Locks): the API rotates refresh tokens, and a spent one sent again by a
 * second tab would end the session for safety.
 */
export function refreshSession(): Promise<string | undefined> {
  refreshing ??= withLock(async () => {
    try {
      await open("refresh", undefined);
      return session.accessToken();
    } catch {
      set({ status: "signed-out" });
      return undefined;
    }
  }).finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

function withLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? (locks.request("voltasis-console-session", work) as Promise<T>) : work();
}

export const signIn = (email: string, password: string) => open("login", { email, password });

export const signUp = (body: { email: string; password: string; name: string; organization_name: string }) =>
  open("register", body);

export const acceptInvitation = (body: { token: string; name?: string; password?: string }) =>
  open("invitations/accept", body, session.accessToken());

export async function signOut(): Promise<void> {
  await post("logout", undefined, session.accessToken()).catch(() => undefined);
  set({ status: "signed-out" });
}
