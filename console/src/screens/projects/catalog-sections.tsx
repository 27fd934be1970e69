import type { ReactNode } from "react";
import { api } from "../../api/client";
import { fieldError, formError, type Problem, problemOf } from "../../api/errors";
import { namesOf, useClients, useProjects, useTags, useTasks } from "../../api/queries";
import { Empty } from "../../ui/empty";
import { Field, FormError } from "../../ui/field";
import { useChange } from "../../ui/use-change";
import { text, useSubmit } from "../../ui/use-submit";

interface Item {
  id: string;
}

/**
 * A catalogue list of the Projects screen (tasks, clients, tags): an add form whose field names
 * are the API's, then the items, each with Delete.
 */
function CatalogSection<T extends Item>(props: {
  title: string;
  /** The query key the list is cached under; refreshed after adding or deleting. */
  listKey: string;
  items: T[] | undefined;
  fields: (problem: Problem | undefined) => ReactNode;
  fieldNames: string[];
  create: (form: FormData) => Promise<unknown>;
  submitLabel: string;
  empty: string;
  nameOf: (item: T) => string;
  detailOf?: (item: T) => string | null | undefined;
  remove: (id: string) => Promise<unknown>;
}) {
  const create = useChange(props.create, [props.listKey]);
  const { onSubmit, problem, pending } = useSubmit(async (form, element) => {
    await create.mutateAsync(form);
    element.reset();
  });
  const headingId = `${props.listKey}-heading`;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{props.title}</h2>
      <form
        className="row-form"
        onSubmit={onSubmit}
        noValidate
        aria-label={`New ${props.title.toLowerCase()}`}
      >
        {props.fields(problem)}
        <button type="submit" disabled={pending}>
          {props.submitLabel}
        </button>
        <FormError message={formError(problem, props.fieldNames)} />
      </form>
      {props.items?.length === 0 && <Empty>{props.empty}</Empty>}
      <ul className="plain-list">
        {props.items?.map((item) => (
          <li key={item.id}>
            <span>
              {props.nameOf(item)} <span className="hint">{props.detailOf?.(item)}</span>
            </span>
            <DeleteButton
              name={props.nameOf(item)}
              remove={() => props.remove(item.id)}
              listKey={props.listKey}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

function DeleteButton(props: { name: string; remove: () => Promise<unknown>; listKey: string }) {
  const remove = useChange(props.remove, [props.listKey]);
  return (
    <>
      <button type="button" className="danger" onClick={() => remove.mutate(undefined)}>
        Delete<span className="visually-hidden"> {props.name}</span>
      </button>
      <FormError message={problemOf(remove.error)?.message} />
    </>
  );
}

export function ClientsSection() {
  const clients = useClients();
  return (
    <CatalogSection
      title="Clients"
      listKey="clients"
      items={clients.data}
      fieldNames={["name", "email"]}
      fields={(problem) => (
        <>
          <Field label="Client name" className="grow" error={fieldError(problem, "name")}>
            {(control) => <input {...control} name="name" required />}
          </Field>
          <Field label="Client e-mail" error={fieldError(problem, "email")}>
            {(control) => <input {...control} name="email" type="email" />}
          </Field>
        </>
      )}
      create={(form) =>
        api.clients.create({ name: text(form, "name") ?? "", email: text(form, "email") ?? null })
      }
      submitLabel="Create client"
      empty="No clients yet. Add one to group projects by who pays for them."
      nameOf={(client) => client.name}
      detailOf={(client) => client.email}
      remove={(id) => api.clients.delete(id)}
    />
  );
}

export function TasksSection() {
  const tasks = useTasks();
  const projects = useProjects();
  const projectNames = namesOf(projects.data, (p) => p.name);
  return (
    <CatalogSection
      title="Tasks"
      listKey="tasks"
      items={tasks.data}
      fieldNames={["title", "project_id"]}
      fields={(problem) => (
        <>
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
        </>
      )}
      create={(form) =>
        api.tasks.create({ title: text(form, "title") ?? "", project_id: text(form, "project_id") ?? "" })
      }
      submitLabel="Create task"
      empty="No tasks yet. Tasks break a project into pieces you track time on."
      nameOf={(task) => task.title}
      detailOf={(task) => projectNames.get(task.project_id)}
      remove={(id) => api.tasks.delete(id)}
    />
  );
}

export function TagsSection() {
  const tags = useTags();
  return (
    <CatalogSection
      title="Tags"
      listKey="tags"
      items={tags.data}
      fieldNames={["name"]}
      fields={(problem) => (
        <Field label="Tag name" className="grow" error={fieldError(problem, "name")}>
          {(control) => <input {...control} name="name" required />}
        </Field>
      )}
      create={(form) => api.tags.create({ name: text(form, "name") ?? "" })}
      submitLabel="Create tag"
      empty='No tags yet. Tags label time across projects (e.g. "meeting").'
      nameOf={(tag) => tag.name}
      remove={(id) => api.tags.delete(id)}
    />
  );
}
