import type { Project } from "@voltasis/sdk";
import { api } from "../../api/client";
import { fieldError, formError, problemOf } from "../../api/errors";
import { namesOf, useClients, useProjects } from "../../api/queries";
import { Empty } from "../../ui/empty";
import { Field, FormError } from "../../ui/field";
import { fromMinorUnits, toMinorUnits } from "../../ui/format";
import { TableWrap } from "../../ui/table-wrap";
import { useChange } from "../../ui/use-change";
import { text, useSubmit } from "../../ui/use-submit";

const FIELDS = ["name", "client_id", "billable", "hourly_rate", "color"];

export function ProjectsSection() {
  const projects = useProjects();
  const clients = useClients();
  const clientNames = namesOf(clients.data, (c) => c.name);
  const create = useChange((form: FormData) => createProject(form), ["projects"]);
  const { onSubmit, problem, pending } = useSubmit(async (form, element) => {
    await create.mutateAsync(form);
    element.reset();
  });
  return (
    <section className="panel" aria-labelledby="projects-heading">
      <h2 id="projects-heading">Projects</h2>
      <form className="row-form" onSubmit={onSubmit} noValidate aria-label="New project">
        <Field label="Project name" className="grow" error={fieldError(problem, "name")}>
          {(control) => <input {...control} name="name" required />}
        </Field>
        <Field label="Client" error={fieldError(problem, "client_id")}>
          {(control) => (
            <select {...control} name="client_id">
              <option value="">No client</option>
              {(clients.data ?? []).map((client) => (
                <option key={client.id} value={client.id}>
                  {client.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Hourly rate" error={fieldError(problem, "hourly_rate")}>
          {(control) => (
            <input {...control} name="hourly_rate" type="number" min="0" step="0.01" inputMode="decimal" />
          )}
        </Field>
        <label className="check">
          <input type="checkbox" name="billable" defaultChecked />
          Billable
        </label>
        <button type="submit" disabled={pending}>
          Create project
        </button>
        <FormError message={formError(problem, FIELDS)} />
      </form>
      {projects.data?.length === 0 && <Empty>No projects yet. Name your first one above.</Empty>}
      {(projects.data?.length ?? 0) > 0 && (
        <TableWrap label="Projects table">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Client</th>
                <th>Billable</th>
                <th className="num">Rate</th>
                <th>Status</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {projects.data?.map((project) => (
                <ProjectRow
                  key={project.id}
                  project={project}
                  client={clientNames.get(project.client_id ?? "")}
                />
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

function createProject(form: FormData) {
  const rate = text(form, "hourly_rate");
  return api.projects.create({
    name: text(form, "name") ?? "",
    client_id: text(form, "client_id") ?? null,
    billable: form.get("billable") === "on",
    hourly_rate: rate === undefined ? null : toMinorUnits(rate),
  });
}

function ProjectRow({ project, client }: { project: Project; client: string | undefined }) {
  const archived = project.status === "archived";
  const toggle = useChange(
    () => api.projects.update(project.id, { status: archived ? "active" : "archived" }),
    ["projects"],
  );
  const remove = useChange(() => api.projects.delete(project.id), ["projects", "tasks"]);
  const problem = problemOf(toggle.error ?? remove.error);
  return (
    <tr>
      <td>{project.name}</td>
      <td>{client ?? "—"}</td>
      <td>{project.billable ? "Yes" : "No"}</td>
      <td className="num">{project.hourly_rate === null ? "—" : fromMinorUnits(project.hourly_rate)}</td>
      <td>{archived ? "Archived" : "Active"}</td>
      <td>
        <div className="buttons">
          <button type="button" className="secondary" onClick={() => toggle.mutate(undefined)}>
            {archived ? "Restore" : "Archive"}
            <span className="visually-hidden"> {project.name}</span>
          </button>
          <button type="button" className="danger" onClick={() => remove.mutate(undefined)}>
            Delete<span className="visually-hidden"> {project.name}</span>
          </button>
        </div>
        <FormError message={problem?.message} />
      </td>
    </tr>
  );
}
