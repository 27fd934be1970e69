import { type Static, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/ids.js";
import { type ListSpec, listQuerySchema } from "../../platform/list-query.js";

export const TASK_ID_EXAMPLE = "tsk_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const PROJECT_ID_EXAMPLE = "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const USER_ID_EXAMPLE = "usr_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";

export const TASK_STATUSES = ["open", "in_progress", "completed"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
const statusSchema = (description: string) =>
  Type.Unsafe<TaskStatus>({ type: "string", enum: [...TASK_STATUSES], description, examples: ["open"] });

const TaskId = Type.String({ pattern: idPattern("task"), examples: [TASK_ID_EXAMPLE] });
const projectId = (description: string) =>
  Type.String({ pattern: idPattern("project"), description, examples: [PROJECT_ID_EXAMPLE] });
const userId = (description: string) =>
  Type.String({ pattern: idPattern("user"), description, examples: [USER_ID_EXAMPLE] });

const title = Type.String({
  minLength: 1,
  maxLength: 500,
  pattern: "\\S",
  description: "Surrounding spaces are trimmed",
  examples: ["Design the landing page"],
});
const description = Type.Union([Type.String({ maxLength: 10000 }), Type.Null()], {
  description: "Free text",
  examples: ["Hero, pricing table and footer"],
});
const assigneeId = Type.Union([userId("A member of the organization"), Type.Null()], {
  description: "The member the task is assigned to (an active member of the organization), or null",
  examples: [USER_ID_EXAMPLE],
});
const dueDate = Type.Union([Type.String({ format: "date" }), Type.Null()], {
  description: "`YYYY-MM-DD`, or null",
  examples: ["2024-03-31"],
});
const estimate = Type.Union([Type.Integer({ minimum: 0, maximum: 2_147_483_647 }), Type.Null()], {
  description: "Estimated effort in seconds, or null",
  examples: [14400],
});
const Timestamp = Type.String({ format: "date-time", examples: ["2024-01-01T00:00:00Z"] });

export const TaskSchema = Type.Object(
  {
    id: TaskId,
    title,
    description,
    project_id: projectId("The project the task belongs to"),
    status: statusSchema("`open`, `in_progress` or `completed`"),
    assignee_id: assigneeId,
    due_date: dueDate,
    estimate_seconds: estimate,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: "Task", additionalProperties: false },
);
export type Task = Static<typeof TaskSchema>;

const writable = {
  description: Type.Optional(description),
  status: Type.Optional(statusSchema("Default `open`")),
  assignee_id: Type.Optional(assigneeId),
  due_date: Type.Optional(dueDate),
  estimate_seconds: Type.Optional(estimate),
};

export const CreateTaskBody = Type.Object(
  { title, project_id: projectId("A project of the organization"), ...writable },
  { additionalProperties: false },
);
export type CreateTaskBody = Static<typeof CreateTaskBody>;

export const UpdateTaskBody = Type.Object(
  {
    title: Type.Optional(title),
    project_id: Type.Optional(
      projectId("Move the task to another project; refused (409) while time entries refer to it"),
    ),
    ...writable,
  },
  { additionalProperties: false, minProperties: 1, description: "Only the fields given change" },
);
export type UpdateTaskBody = Static<typeof UpdateTaskBody>;

export const TaskParams = Type.Object({ id: TaskId }, { additionalProperties: false });

export const TASK_LIST: ListSpec = {
  table: "tasks",
  alias: "t",
  filters: {
    status: { schema: statusSchema("Only tasks with this status"), column: "t.status" },
    project_id: { schema: projectId("Only tasks of this project"), column: "t.project_id" },
    assignee_id: { schema: userId("Only tasks assigned to this member"), column: "t.assignee_id" },
  },
  range: { column: "t.created_at", description: "Tasks created" },
  sort: {
    fields: {
      created_at: "t.created_at",
      title: "t.title",
      due_date: "t.due_date",
      updated_at: "t.updated_at",
    },
    default: "created_at",
    order: "desc",
  },
};
export const ListTasksQuery = listQuerySchema(TASK_LIST);
