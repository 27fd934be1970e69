import { useQueryClient } from "@tanstack/react-query";
import { PermissionDeniedError } from "@voltasis/sdk";
import { useEffect, useState } from "react";
import { api } from "../api/client";

// What each event makes stale, by its resource (`time_entry.created` → `time_entry`).
const STALE: Record<string, string[]> = {
  time_entry: ["time-entries", "timer", "reports"],
  timer: ["time-entries", "timer", "reports"],
  project: ["projects", "reports"],
  client: ["clients", "reports"],
  task: ["tasks"],
  tag: ["tags"],
  settings: ["settings"],
  member: ["members"],
  invitation: ["invitations", "members"],
  api_key: ["api-keys"],
  webhook: ["webhooks"],
  job: ["jobs"],
  sandbox: ["projects", "clients", "tasks", "tags", "time-entries", "timer", "reports"],
};
// Any event may be delivered to a webhook and is written to the audit trail.
const ALWAYS = ["deliveries", "logs"];

type Status = "connecting" | "live" | "refused" | "lost";
const STATUS_TEXT: Record<Status, string> = {
  connecting: "",
  live: "Live",
  refused: "Live updates are not available to your role",
  lost: "Live updates lost; reload the page to resume",
};

/**
 * Follows the organization's event stream (GET /v1/events/stream through the SDK, which resumes
 * with Last-Event-ID after a dropped connection) and marks what each event changed as stale, so
 * the screen on show fetches it again: a timer started in another tab, a new delivery, an audit line.
 */
export function LiveEvents() {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<Status>("connecting");
  useEffect(() => {
    const controller = new AbortController();
    const follow = async () => {
      const events = await api.events.stream(undefined, { signal: controller.signal });
      setStatus("live");
      for await (const event of events) {
        const resource = event.event.split(".")[0] ?? "";
        for (const key of [...(STALE[resource] ?? []), ...ALWAYS]) {
          void queryClient.invalidateQueries({ queryKey: [key] });
        }
      }
    };
    follow().catch((error: unknown) => {
      if (controller.signal.aborted) return;
      setStatus(error instanceof PermissionDeniedError ? "refused" : "lost");
    });
    return () => controller.abort();
  }, [queryClient]);
  return (
    <p className={`live-status ${status}`} role="status">
      {STATUS_TEXT[status]}
    </p>
  );
}
