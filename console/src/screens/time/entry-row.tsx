import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Project, TimeEntriesUpdateParams, TimeEntry } from "@voltasis/sdk";
import { useEffect, useId, useState } from "react";
import { api } from "../../api/client";
import { problemOf } from "../../api/errors";
import { formatDuration, instantOf, isoDate, localTime } from "../../ui/format";
import { ProjectSelect } from "./pickers";

/**
 * One time entry, edited in place: a change is saved when the field is left (or its select
 * changes), and the API's refusal (a locked period, an overlap) is shown on this row, in words.
 */
export function EntryRow({ entry, projects, now }: { entry: TimeEntry; projects: Project[]; now: number }) {
  const queryClient = useQueryClient();
  const errorId = useId();
  const start = new Date(entry.start);
  const [description, setDescription] = useState(entry.description);
  const [startTime, setStartTime] = useState(localTime(start));
  const [endTime, setEndTime] = useState(entry.end ? localTime(new Date(entry.end)) : "");
  useEffect(() => {
    setDescription(entry.description);
    setStartTime(localTime(new Date(entry.start)));
    setEndTime(entry.end ? localTime(new Date(entry.end)) : "");
  }, [entry]);

  const save = useMutation({
    mutationFn: (patch: TimeEntriesUpdateParams) => api.timeEntries.update(entry.id, patch),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["time-entries"] }),
  });
  const remove = useMutation({
    mutationFn: () => api.timeEntries.delete(entry.id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["time-entries"] });
      void queryClient.invalidateQueries({ queryKey: ["timer"] });
    },
  });
  const day = isoDate(start);
  const saveTimes = () => {
    const patch: TimeEntriesUpdateParams = {};
    if (startTime && startTime !== localTime(start)) patch.start = instantOf(day, startTime);
    if (entry.end && endTime && endTime !== localTime(new Date(entry.end)))
      patch.end = instantOf(day, endTime);
    if (Object.keys(patch).length > 0) save.mutate(patch);
  };
  const duration = entry.running ? (now - start.getTime()) / 1000 : entry.duration;
  const problem = problemOf(save.error ?? remove.error);
  const label = entry.description || "entry without description";
  const invalid = problem ? true : undefined;
  const describedBy = problem ? errorId : undefined;
  return (
    <li className="entry">
      <input
        aria-label="Description"
        className="entry-description"
        value={description}
        placeholder="(no description)"
        aria-invalid={invalid}
        aria-describedby={describedBy}
        onChange={(e) => setDescription(e.target.value)}
        onBlur={() => description !== entry.description && save.mutate({ description })}
      />
      <ProjectSelect
        projects={projects}
        value={entry.project_id ?? ""}
        onChange={(projectId) => save.mutate({ project_id: projectId || null, task_id: null })}
      />
      <span className="entry-times">
        <input
          type="time"
          aria-label="Start"
          value={startTime}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          onChange={(e) => setStartTime(e.target.value)}
          onBlur={saveTimes}
        />
        <span aria-hidden="true">–</span>
        <input
          type="time"
          aria-label="End"
          value={endTime}
          disabled={entry.running}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          onChange={(e) => setEndTime(e.target.value)}
          onBlur={saveTimes}
        />
      </span>
      <span className="entry-duration mono">{entry.running ? "running" : formatDuration(duration)}</span>
      <button
        type="button"
        className="icon danger"
        aria-label={`Delete ${label}`}
        onClick={() => remove.mutate()}
        disabled={remove.isPending}
      >
        Delete
      </button>
      {problem && (
        <p className="error entry-error" id={errorId} role="alert">
          {problem.message}
        </p>
      )}
    </li>
  );
}
