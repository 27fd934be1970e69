import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TimeEntry } from "@voltasis/sdk";
import { useState } from "react";
import { api } from "../../api/client";
import { fieldError, formError, problemOf } from "../../api/errors";
import { namesOf, useProjects, useTags, useTasks } from "../../api/queries";
import { Field, FormError } from "../../ui/field";
import { formatDuration } from "../../ui/format";
import { text, useSubmit } from "../../ui/use-submit";
import { ProjectSelect, TagPicker, TaskSelect } from "./pickers";
import { useNow } from "./use-now";

const START_FIELDS = ["description", "project_id", "task_id", "tag_ids"];

/** The running timer, ticking, with Stop; or the form that starts one. */
export function Timer() {
  const current = useQuery({ queryKey: ["timer"], queryFn: () => api.timeEntries.current() });
  if (current.isPending) return null;
  return current.data ? <RunningTimer entry={current.data} /> : <StartTimer />;
}

function useTimeChanged() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: ["timer"] });
    void queryClient.invalidateQueries({ queryKey: ["time-entries"] });
  };
}

function RunningTimer({ entry }: { entry: TimeEntry }) {
  const changed = useTimeChanged();
  const projects = useProjects();
  const now = useNow(true);
  const stop = useMutation({ mutationFn: () => api.timeEntries.stop(entry.id), onSuccess: changed });
  const elapsed = (now - Date.parse(entry.start)) / 1000;
  const project = namesOf(projects.data, (p) => p.name).get(entry.project_id ?? "");
  return (
    <section className="card timer running" aria-label="Running timer">
      <div className="timer-what">
        <strong>{entry.description || "(no description)"}</strong>
        <span className="hint">{project ?? "No project"}</span>
      </div>
      <span className="elapsed mono" role="timer" aria-label="Elapsed time">
        {formatDuration(elapsed)}
      </span>
      <button type="button" className="danger" onClick={() => stop.mutate()} disabled={stop.isPending}>
        Stop timer
      </button>
      <FormError message={problemOf(stop.error)?.message} />
    </section>
  );
}

function StartTimer() {
  const changed = useTimeChanged();
  const projects = useProjects();
  const tasks = useTasks();
  const tags = useTags();
  const [projectId, setProjectId] = useState("");
  const { onSubmit, problem, pending } = useSubmit(async (form, element) => {
    await api.timeEntries.start({
      description: text(form, "description") ?? "",
      project_id: text(form, "project_id") ?? null,
      task_id: text(form, "task_id") ?? null,
      tag_ids: form.getAll("tag_ids").map(String),
    });
    element.reset();
    setProjectId("");
    changed();
  });
  return (
    <form className="card timer" onSubmit={onSubmit} aria-label="Start a timer">
      <Field label="What are you working on?" className="grow" error={fieldError(problem, "description")}>
        {(control) => <input {...control} name="description" placeholder="Describe the work" />}
      </Field>
      <Field label="Project" error={fieldError(problem, "project_id")}>
        {(control) => (
          <ProjectSelect
            control={control}
            projects={projects.data ?? []}
            value={projectId}
            onChange={setProjectId}
          />
        )}
      </Field>
      <Field label="Task" error={fieldError(problem, "task_id")}>
        {(control) => <TaskSelect control={control} tasks={tasks.data ?? []} projectId={projectId} />}
      </Field>
      <TagPicker tags={tags.data ?? []} />
      <button type="submit" disabled={pending}>
        Start timer
      </button>
      <FormError message={formError(problem, START_FIELDS)} />
    </form>
  );
}
