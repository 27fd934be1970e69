import type { IdBook } from "./baseline.js";

/**
 * Stand-ins for the credentials, the ids and unique values (e-mail addresses), put in by
 * `resolve` when a request is sent: a request that ends the session or deletes a resource makes
 * the arrangement replace them, and the cases after it must use the replacements. `~` survives
 * percent-encoding unchanged.
 */
export const TOKEN = "~~token~~";
export const ADMIN_KEY = "~~admin-key~~";
export const UNIQUE = "~~unique~~";
export const idRef = (prefix: string) => `~~id~${prefix}~~`;

export interface Actual {
  token: string;
  adminKey: string;
  ids: IdBook;
}

let serial = 0;

export function resolve(text: string, actual: Actual): string {
  return text
    .replaceAll(TOKEN, () => actual.token)
    .replaceAll(ADMIN_KEY, () => actual.adminKey)
    .replaceAll(UNIQUE, () => `${Date.now()}-${++serial}`)
    .replace(/~~id~(\w+)~~/g, (_, prefix: string) => actual.ids(prefix));
}
