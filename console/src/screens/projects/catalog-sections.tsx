import type { Client, Tag, Task } from "@voltasis/sdk";
import { api } from "../../api/client";
import { fieldError, formError, problemOf } from "../../api/errors";
import { namesOf, useClients, useProjects, useTags, useTasks } from "../../api/queries";
import { Empty } from "../../ui/empty";
import { Field, FormError } from "../../ui/field";
import { useChange } from "../../ui/use-change";
import { text, useSubmit } from "../../ui/use-submit";

/** The add form every catalogue section starts with; the field names are the API's. */
function useCreateForm(create: (form: FormData) => Promise<unknown>, invalidates: string[]) {
  const change = useChange(create, invalidates);
  return useSubmit(async (form, element) => {
    await change.mutateAsync(form);
    element.reset();
  });
}

function DeleteButton(props: { name: string; remove: () => Promise<unknown>; invalidates: string[] }) {
  const remove = useChange(props.remove, props.invalidates);
  return (
    <>
      <button type="button" className="danger" onClick={() => remove.mutate(undefined)}>
        Delete<span className="visually-hidden"> {props.name}</span>
      </button>
      {remove.error && (
        <p className="error" role="alert">
          {problemOf(remove.error)?.message}
        </p>
      )}
    </>
  );
}

export function ClientsSection() {
  const clients = useClients();
  const { onSubmit, problem, pending } = useCreateForm(
    (form) => api.clients.create({ name: text(form, "name") ?? "", email: text(form, "email") ?? null }),
    ["clients"],
  );
  return (
    <section className="panel" aria-labelledby="clients-heading">
      <h2 id="clients-heading">Clients</h2>
      <form className="row-form" onSubmit={onSubmit} noValidate aria-label="New client">
        <Field label="Client name" className="grow" error={fieldError(problem, "name")}>
          {(control) => <input {...control} name="name" required />}
        </Field>
        <Field label="Client e-mail" error={fieldError(problem, "email")}>
          {(control) => <input {...control} name="email" type="email" />}
        </Field>
        <button type="submit" disabled={pending}>
          Create client
        </button>
        <FormError message={formError(problem, ["name", "email"])} />
      </form>
      {clients.data?.length === 0 && (
        <Empty>No clients yet. Add one to group projects by who pays for them.</Empty>
      )}
      <ul className="plain-list">
        {clients.data?.map((client: Client) => (
          <li key={client.id}>
            <span>
              {client.name} {client.email && <span className="hint">{client.email}</span>}
            </span>
            <DeleteButton
              name={client.name}
              remove={() => api.clients.delete(client.id)}
              invalidates={["clients"]}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

export function TasksSection() {
  const tasks = useTasks();
  const projects = useProjects();
  const projectNames = namesOf(projects.data, (p) => p.name);
  const { onSubmit, problem, pending } = useCreateForm(
    (form) =>
      api.tasks.create({ title: text(form, "title") ?? "", project_id: text(form, "project_id") ?? "" }),
    ["tasks"],
  );
  return (
    <section className="panel" aria-labelledby="tasks-heading">
      <h2 id="tasks-heading">Tasks</h2>
      <form className="row-form" onSubmit={onSubmit} noValidate aria-label="New task">
        <Field label="Task title" className="grow" error={fieldError(problem, "title")}>
          {(control) => <input {...control} name="title" required />}
        </Field>
        <Field label="Project of the task" error={fieldError(problem, "project_id")}>
          {(control) => (
            <select {...control} name="project_id" required>
              <option value="">Choose a project</option>
              {(projects.data ?? []).map((project) => (
                <option key={project.id} value={project.id}>
                  {project.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" disabled={pending}>
          Create task
        </button>
        <FormError message={formError(problem, ["title", "project_id"])} />
      </form>
      {tasks.data?.length === 0 && (
        <Empty>No tasks yet. Tasks break a project into pieces you track time on.</Empty>
      )}
      <ul className="plain-list">
        {tasks.data?.map((task: Task) => (
          <li key={task.id}>
            <span>
              {task.title} <span className="hint">{projectNames.get(task.project_id)}</span>
            </span>
            <DeleteButton
              name={task.title}
              remove={() => api.tasks.delete(task.id)}
              invalidates={["tasks"]}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

export function TagsSection() {
  const tags = useTags();
  const { onSubmit, problem, pending } = useCreateForm(
    (form) => api.tags.create({ name: text(form, "name") ?? "" }),
    ["tags"],
  );
  return (
    <section className="panel" aria-labelledby="tags-heading">
      <h2 id="tags-heading">Tags</h2>
      <form className="row-form" onSubmit={onSubmit} noValidate aria-label="New tag">
        <Field label="Tag name" className="grow" error={fieldError(problem, "name")}>
          {(control) => <input {...control} name="name" required />}
        </Field>
        <button type="submit" disabled={pending}>
          Create tag
        </button>
        <FormError message={formError(problem, ["name"])} />
      </form>
      {tags.data?.length === 0 && (
        <Empty>No tags yet. Tags label time across projects (e.g. "meeting").</Empty>
      )}
      <ul className="plain-list">
        {tags.data?.map((tag: Tag) => (
          <li key={tag.id}>
            <span>{tag.name}</span>
            <DeleteButton name={tag.name} remove={() => api.tags.delete(tag.id)} invalidates={["tags"]} />
          </li>
        ))}
      </ul>
    </section>
  );
}
