import { type MouseEvent, useSyncExternalStore } from "react";

/**
 * History routing in a dozen lines: the server answers every console path with index.html, and
 * this reads and changes `location.pathname`. Screens are a flat list, so no matching library.
 */
const listeners = new Set<() => void>();
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
};

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  for (const listener of listeners) listener();
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

/** A plain left click on an in-console link changes the screen without loading the page again. */
export function followLink(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.getAttribute("href") ?? "/");
}

/**
 * Where signing in returns to (`/sign-in?next=…`): a path of this console only, never another site
 * (`//host` or `/\\host` would leave it).
 */
export function returnPath(): string | undefined {
  const next = new URLSearchParams(window.location.search).get("next");
  return next && /^\/(?![/\\])/.test(next) ? next : undefined;
}
