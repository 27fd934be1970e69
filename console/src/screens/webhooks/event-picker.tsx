// The server's own list of events (pure data, no imports), so the picker offers exactly what a
// subscription may name (SPEC §7) without a copy to keep in step.
import { EVENT_CATALOGUE } from "../../../../src/features/webhooks/event-catalogue";

/** Checkboxes named `events`: every event (`*`), a resource's (`project.*`), or single events. */
export function EventPicker({ error }: { error: string | undefined }) {
  return (
    <fieldset aria-describedby={error ? "events-error" : undefined}>
      <legend>Events</legend>
      <label className="check">
        <input type="checkbox" name="events" value="*" />
        All events
      </label>
      <div className="event-groups">
        {Object.entries(EVENT_CATALOGUE).map(([resource, actions]) => (
          <details key={resource}>
            <summary>{resource.replace("_", " ")}</summary>
            <label className="check">
              <input type="checkbox" name="events" value={`${resource}.*`} />
              Every {resource.replace("_", " ")} event
            </label>
            {actions.map((action) => (
              <label key={action} className="check">
                <input type="checkbox" name="events" value={`${resource}.${action}`} />
                {resource}.{action}
              </label>
            ))}
          </details>
        ))}
      </div>
      {error && (
        <span className="error" id="events-error">
          {error}
        </span>
      )}
    </fieldset>
  );
}
