import { useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { fieldError, formError } from "../../api/errors";
import { useProjects } from "../../api/queries";
import { Field, FormError } from "../../ui/field";
import { instantOf, isoDate } from "../../ui/format";
import { text, useSubmit } from "../../ui/use-submit";
import { ProjectSelect } from "./pickers";

const FIELDS = ["description", "project_id", "start", "end"];

/** Time worked without a timer: a day, a start and an end. */
export function AddEntry() {
  const queryClient = useQueryClient();
  const projects = useProjects();
  const { onSubmit, problem, pending } = useSubmit(async (form, element) => {
    const date = text(form, "date") ?? isoDate(new Date());
    await api.timeEntries.create({
      start: instantOf(date, text(form, "start") ?? "09:00"),
      end: instantOf(date, text(form, "end") ?? "10:00"),
      description: text(form, "description") ?? "",
      project_id: text(form, "project_id") ?? null,
    });
    element.reset();
    await queryClient.invalidateQueries({ queryKey: ["time-entries"] });
  });
  return (
    <details className="card">
      <summary>Add time without a timer</summary>
      <form className="row-form" onSubmit={onSubmit} noValidate>
        <Field label="Date">
          {(control) => <input {...control} type="date" name="date" defaultValue={isoDate(new Date())} />}
        </Field>
        <Field label="From" error={fieldError(problem, "start")}>
          {(control) => <input {...control} type="time" name="start" defaultValue="09:00" required />}
        </Field>
        <Field label="To" error={fieldError(problem, "end")}>
          {(control) => <input {...control} type="time" name="end" defaultValue="10:00" required />}
        </Field>
        <Field label="Description" className="grow" error={fieldError(problem, "description")}>
          {(control) => <input {...control} name="description" />}
        </Field>
        <Field label="Project" error={fieldError(problem, "project_id")}>
          {(control) => <ProjectSelect control={control} projects={projects.data ?? []} />}
        </Field>
        <button type="submit" disabled={pending}>
          Add entry
        </button>
        <FormError message={formError(problem, FIELDS)} />
      </form>
    </details>
  );
}
