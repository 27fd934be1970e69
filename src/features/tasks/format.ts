import { rfc3339 } from "../../platform/time.js";
import type { Task } from "./schemas.js";
import type { TaskRow } from "./store.js";

export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    project_id: row.project_id,
    status: row.status,
    assignee_id: row.assignee_id,
    due_date: row.due_date,
    estimate_seconds: row.estimate_seconds,
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
  };
}
