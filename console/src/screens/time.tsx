import { useQuery } from "@tanstack/react-query";
import type { TimeEntry } from "@voltasis/sdk";
import { useState, useSyncExternalStore } from "react";
import { all, api } from "../api/client";
import { problemOf } from "../api/errors";
import { useProjects, useSettings } from "../api/queries";
import { session } from "../api/session";
import { Empty, Loading } from "../ui/empty";
import { addDays, formatDay, formatDuration, isoDate, startOfWeek } from "../ui/format";
import { Page } from "../ui/page";
import { AddEntry } from "./time/add-entry";
import { EntryRow } from "./time/entry-row";
import { Timer } from "./time/timer";
import { useNow } from "./time/use-now";

export function TimeScreen() {
  return (
    <Page title="Time">
      <Timer />
      <AddEntry />
      <Week />
    </Page>
  );
}

/** The signed-in person's entries of one week, by day, newest first. */
function Week() {
  const settings = useSettings();
  const state = useSyncExternalStore(session.subscribe, session.get);
  const userId = state.status === "signed-in" ? state.user.id : undefined;
  const [offset, setOffset] = useState(0);
  const weekStart = addDays(startOfWeek(new Date(), settings.data?.week_start ?? "monday"), offset * 7);
  const weekEnd = addDays(weekStart, 7);
  const entries = useQuery({
    queryKey: ["time-entries", "week", isoDate(weekStart), userId],
    queryFn: () =>
      all(
        api.timeEntries.list({
          from: weekStart.toISOString(),
          to: weekEnd.toISOString(),
          user_id: userId,
          sort: "start",
          order: "desc",
          per_page: 100,
        }),
      ),
  });
  const projects = useProjects();
  const running = (entries.data ?? []).some((entry) => entry.running);
  const now = useNow(running);
  const days = groupByDay(entries.data ?? []);
  const total = (entries.data ?? []).reduce((sum, e) => sum + (e.running ? 0 : e.duration), 0);
  return (
    <section aria-labelledby="week-heading" className="week">
      <div className="section-head">
        <h2 id="week-heading">
          Week of {weekStart.toLocaleDateString(undefined, { month: "long", day: "numeric" })}
        </h2>
        <span className="mono">Total {formatDuration(total)}</span>
        <div className="buttons">
          <button type="button" className="secondary" onClick={() => setOffset(offset - 1)}>
            Previous week
          </button>
          <button type="button" className="secondary" onClick={() => setOffset(0)} disabled={offset === 0}>
            This week
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => setOffset(offset + 1)}
            disabled={offset >= 0}
          >
            Next week
          </button>
        </div>
      </div>
      {entries.isPending && <Loading what="this week's entries" />}
      {entries.error && <p className="error">{problemOf(entries.error)?.message}</p>}
      {entries.data && entries.data.length === 0 && (
        <Empty>No time this week yet. Start the timer above, or add time you worked without one.</Empty>
      )}
      {days.map(([day, dayEntries]) => (
        <div key={day} className="day">
          <h3>
            {formatDay(new Date(`${day}T12:00:00`))}
            <span className="mono">
              {formatDuration(dayEntries.reduce((sum, e) => sum + (e.running ? 0 : e.duration), 0))}
            </span>
          </h3>
          <ul className="entries">
            {dayEntries.map((entry) => (
              <EntryRow key={entry.id} entry={entry} projects={projects.data ?? []} now={now} />
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

function groupByDay(entries: TimeEntry[]): Array<[string, TimeEntry[]]> {
  const days = new Map<string, TimeEntry[]>();
  for (const entry of entries) {
    const day = isoDate(new Date(entry.start));
    days.set(day, [...(days.get(day) ?? []), entry]);
  }
  return [...days.entries()];
}
