/**
 * The events Voltasis emits (SPEC §7), by resource: what a webhook may subscribe to, by exact
 * name, as `<resource>.*`, or as `*`. A name outside this list is a 400, so that a typo such as
 * `project.create` does not subscribe to nothing in silence.
 */
export const EVENT_CATALOGUE: Record<string, readonly string[]> = {
  client: ["created", "updated", "deleted"],
  project: ["created", "updated", "deleted"],
  task: ["created", "updated", "deleted"],
  tag: ["created", "updated", "deleted"],
  time_entry: ["created", "updated", "deleted"],
  timer: ["started", "stopped"],
  settings: ["updated"],
  organization: ["updated"],
  member: ["created", "updated", "deleted"],
  invitation: ["created", "accepted", "revoked"],
  api_key: ["created", "rolled", "revoked"],
  webhook: ["created", "updated", "deleted", "secret_rotated", "disabled"],
  job: ["created", "succeeded", "failed"],
  oauth_app: ["created", "updated", "secret_rotated", "deleted"],
  oauth_grant: ["created", "updated", "revoked"],
  // Only in a sandbox (SPEC §8): its data was deleted and the demo data restored.
  sandbox: ["reset"],
};

export const EVENT_NAMES: readonly string[] = Object.entries(EVENT_CATALOGUE).flatMap(([resource, actions]) =>
  actions.map((action) => `${resource}.${action}`),
);

/** The name of the ping that `POST /v1/webhooks/{id}/test` sends; nobody subscribes to it. */
export const TEST_EVENT = "webhook.test";

/** Whether a subscription entry names a known event, a known resource's wildcard, or `*`. */
export function isSubscribable(entry: string): boolean {
  if (entry === "*") return true;
  if (entry.endsWith(".*")) return Object.hasOwn(EVENT_CATALOGUE, entry.slice(0, -2));
  return EVENT_NAMES.includes(entry);
}
