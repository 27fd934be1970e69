import { type Static, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/ids.js";
import { type ListSpec, listQuerySchema } from "../../platform/list-query.js";
import { MAX_RATE } from "../settings/schemas.js";

/** `duration_seconds` is a PostgreSQL `integer`: an entry spans at most 2^31 − 1 s (68 years). */
export const MAX_DURATION_S = 2_147_483_647;
export const MAX_TAGS = 50;

const ENTRY_ID = "te_01JD6V7W9Q3E4R5T6Y7V8K9M0P";
const id = (kind: "timeEntry" | "user" | "project" | "task" | "tag", description: string, example: string) =>
  Type.String({ pattern: idPattern(kind), description, examples: [example] });
const nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(
  schema: T,
  description: string,
  example: unknown,
) => Type.Union([schema, Type.Null()], { description, examples: [example] });
const timestamp = (description: string) =>
  Type.String({ format: "date-time", description, examples: ["2024-01-15T09:00:00Z"] });

const userId = id("user", "The user the time belongs to", "usr_01JD6V7W9Q3E4R5T6Y7V8K9M0P");
const projectId = nullable(
  Type.String({ pattern: idPattern("project") }),
  "A project of this organization, or null",
  "prj_01JD6V7W9Q3E4R5T6Y7V8K9M0P",
);
const taskId = nullable(
  Type.String({ pattern: idPattern("task") }),
  "A task of the entry's project, or null; given without project_id, the entry takes the task's project",
  "tsk_01JD6V7W9Q3E4R5T6Y7V8K9M0P",
);
const hourlyRate = nullable(
  Type.Integer({ minimum: 0, maximum: MAX_RATE }),
  "The entry's own rate in minor units (cents) per hour; null uses the project's, the member's or the default",
  12000,
);
const tagIds = Type.Array(Type.String({ pattern: idPattern("tag") }), {
  uniqueItems: true,
  maxItems: MAX_TAGS,
  description: "Tags of this organization; replaces the entry's tags",
  examples: [["tag_01JD6V7W9Q3E4R5T6Y7V8K9M0P"]],
});
const description = Type.String({
  maxLength: 3000,
  description: "What the time was spent on",
  examples: ["Sprint planning"],
});
const billable = Type.Boolean({
  description: "Whether the time is billed; defaults to the project's billable flag, else true",
  examples: [true],
});
const start = timestamp("When the work started (RFC 3339; fractions of a second are dropped)");
const end = nullable(
  Type.String({ format: "date-time" }),
  "When it ended, at or after start; null (or absent) means a running timer",
  "2024-01-15T10:30:00Z",
);
const duration = Type.Integer({
  minimum: 0,
  maximum: MAX_DURATION_S,
  description:
    "Seconds; only without `end`, which becomes start + duration. Never with `end` (it is derived).",
  examples: [5400],
});

export const TimeEntrySchema = Type.Object(
  {
    id: id("timeEntry", "Time entry id", ENTRY_ID),
    user_id: userId,
    project_id: projectId,
    task_id: taskId,
    description,
    start,
    end,
    duration: Type.Integer({
      minimum: 0,
      description: "Seconds from start to end; for a running timer, the seconds elapsed so far",
      examples: [5400],
    }),
    billable,
    hourly_rate: hourlyRate,
    billable_rate: Type.Integer({
      minimum: 0,
      description:
        "The effective rate (minor units per hour), fixed when the entry was written: the entry's " +
        "hourly_rate, else the project's, else the member's, else the organization default",
      examples: [12000],
    }),
    billable_amount: Type.Integer({
      minimum: 0,
      description: "round(duration × billable_rate / 3600) in minor units when billable, else 0",
      examples: [18000],
    }),
    currency: Type.String({ description: "The organization's currency (ISO 4217)", examples: ["EUR"] }),
    tag_ids: Type.Array(Type.String(), {
      description: "Sorted by id",
      examples: [["tag_01JD6V7W9Q3E4R5T6Y7V8K9M0P"]],
    }),
    running: Type.Boolean({ description: "True while the timer runs (end is null)", examples: [false] }),
    created_at: Type.String({ format: "date-time", examples: ["2024-01-15T10:31:00Z"] }),
    updated_at: Type.String({ format: "date-time", examples: ["2024-01-15T10:31:00Z"] }),
  },
  { $id: "TimeEntry", additionalProperties: false },
);
export type TimeEntry = Static<typeof TimeEntrySchema>;

const references = {
  project_id: Type.Optional(projectId),
  task_id: Type.Optional(taskId),
  description: Type.Optional(description),
  billable: Type.Optional(billable),
  hourly_rate: Type.Optional(hourlyRate),
  tag_ids: Type.Optional(tagIds),
  user_id: Type.Optional(
    id(
      "user",
      "Whose time it is (default: the caller); managers and above only for others",
      "usr_01JD6V7W9Q3E4R5T6Y7V8K9M0P",
    ),
  ),
};

export const CreateTimeEntryBody = Type.Object(
  { start, end: Type.Optional(end), duration: Type.Optional(duration), ...references },
  { additionalProperties: false },
);
export type CreateTimeEntryBody = Static<typeof CreateTimeEntryBody>;

export const StartTimerBody = Type.Object(
  {
    start: Type.Optional(timestamp("When the timer started (default: now); not in the future")),
    ...references,
  },
  { additionalProperties: false },
);
export type StartTimerBody = Static<typeof StartTimerBody>;

export const UpdateTimeEntryBody = Type.Object(
  { start: Type.Optional(start), end: Type.Optional(end), duration: Type.Optional(duration), ...references },
  { additionalProperties: false, minProperties: 1, description: "Only the fields sent change; at least one" },
);
export type UpdateTimeEntryBody = Static<typeof UpdateTimeEntryBody>;

export const TimeEntryParams = Type.Object(
  { id: id("timeEntry", "Time entry id", ENTRY_ID) },
  { additionalProperties: false },
);

/** SPEC §5 for time entries. `tag_id` and `running` are not column equalities: the store applies them. */
export const TIME_ENTRY_LIST: ListSpec = {
  table: "time_entries",
  alias: "te",
  filters: {
    user_id: {
      schema: Type.String({ pattern: idPattern("user"), description: "Only this user's entries" }),
      column: "te.user_id",
    },
    project_id: {
      schema: Type.String({ pattern: idPattern("project"), description: "Only this project's entries" }),
      column: "te.project_id",
    },
    task_id: {
      schema: Type.String({ pattern: idPattern("task"), description: "Only this task's entries" }),
      column: "te.task_id",
    },
    billable: {
      schema: Type.Boolean({ description: "Only billable (true) or non-billable (false) entries" }),
      column: "te.billable",
    },
  },
  range: { column: "te.start_at", description: "Entries starting" },
  sort: {
    fields: {
      start: "te.start_at",
      end: "te.end_at",
      duration: "te.duration_seconds",
      created_at: "te.created_at",
    },
    default: "start",
    order: "desc",
  },
  cursor: { idPattern: idPattern("timeEntry") },
};

/** Sorts that `starting_after` supports: the cursor compares rows, and end/duration are null while running. */
export const CURSOR_SORTS = ["start", "created_at"];

export const ListTimeEntriesQuery = Type.Object(
  {
    ...listQuerySchema(TIME_ENTRY_LIST).properties,
    tag_id: Type.Optional(
      Type.String({ pattern: idPattern("tag"), description: "Only entries with this tag" }),
    ),
    running: Type.Optional(
      Type.Boolean({ description: "Only running timers (true) or only stopped entries (false)" }),
    ),
  },
  { additionalProperties: false },
);
export type ListTimeEntriesQuery = Static<typeof ListTimeEntriesQuery> & {
  sort?: "start" | "end" | "duration" | "created_at";
  order?: "asc" | "desc";
  starting_after?: string;
};
