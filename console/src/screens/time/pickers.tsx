import type { Project, Tag, Task } from "@voltasis/sdk";
import type { ControlProps } from "../../ui/field";

/** A project <select>, "No project" first. */
export function ProjectSelect(props: {
  control?: ControlProps;
  name?: string;
  projects: Project[];
  value?: string;
  defaultValue?: string;
  label?: string;
  onChange?: (projectId: string) => void;
}) {
  return (
    <select
      {...props.control}
      aria-label={props.control ? undefined : (props.label ?? "Project")}
      name={props.name ?? "project_id"}
      value={props.value}
      defaultValue={props.defaultValue}
      onChange={(e) => props.onChange?.(e.target.value)}
    >
      <option value="">No project</option>
      {props.projects
        .filter(
          (project) => project.status === "active" || project.id === (props.value ?? props.defaultValue),
        )
        .map((project) => (
          <option key={project.id} value={project.id}>
            {project.name}
          </option>
        ))}
    </select>
  );
}

/** The tasks of one project. */
export function TaskSelect(props: { control: ControlProps; tasks: Task[]; projectId: string }) {
  const tasks = props.tasks.filter(
    (task) => task.project_id === props.projectId && task.status !== "completed",
  );
  return (
    <select {...props.control} name="task_id" disabled={!props.projectId || tasks.length === 0}>
      <option value="">{props.projectId ? "No task" : "Choose a project first"}</option>
      {tasks.map((task) => (
        <option key={task.id} value={task.id}>
          {task.title}
        </option>
      ))}
    </select>
  );
}

/** Tags as a group of checkboxes: usable by keyboard, read as one group. */
export function TagPicker({ tags }: { tags: Tag[] }) {
  if (tags.length === 0) return null;
  return (
    <fieldset className="tags">
      <legend>Tags</legend>
      {tags.map((tag) => (
        <label key={tag.id} className="check">
          <input type="checkbox" name="tag_ids" value={tag.id} />
          {tag.name}
        </label>
      ))}
    </fieldset>
  );
}
