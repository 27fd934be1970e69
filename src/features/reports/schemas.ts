import { type Static, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/ids.js";
import { type ListSpec, listQuerySchema } from "../../platform/list-query.js";
import { DIMENSIONS } from "./dimensions.js";
import { MAX_BUCKETS, MAX_REPORT_DAYS } from "./period.js";

const nullableId = (kind: Parameters<typeof idPattern>[0], example: string) =>
  Type.Union([Type.String({ pattern: idPattern(kind) }), Type.Null()], { examples: [example] });
const USER_EXAMPLE = "usr_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const PROJECT_EXAMPLE = "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";

const bound = (which: string) =>
  Type.String({
    maxLength: 40,
    description:
      `${which}. An RFC 3339 instant (\`2024-03-01T00:00:00Z\`) or a date (\`2024-03-01\`), which means ` +
      `midnight at the start of that day in the organization's timezone. At most ${MAX_REPORT_DAYS} days ` +
      "between `from` and `to`.",
    examples: ["2024-03-01"],
  });

/** Shared by both reports: the period and the filters. */
export const ReportFilterProperties = {
  from: Type.Optional(bound("Entries starting at or after this (default: start of the current month)")),
  to: Type.Optional(bound("Entries starting before this, exclusive (default: start of next month)")),
  user_id: Type.Optional(
    Type.String({
      pattern: idPattern("user"),
      description: "Only this user's time",
      examples: [USER_EXAMPLE],
    }),
  ),
  project_id: Type.Optional(Type.String({ pattern: idPattern("project"), examples: [PROJECT_EXAMPLE] })),
  client_id: Type.Optional(
    Type.String({
      pattern: idPattern("client"),
      description: "Entries on this client's projects",
      examples: ["cli_01JD6V7W9Q3E4R5T6Y7Z8H9K0P"],
    }),
  ),
  task_id: Type.Optional(
    Type.String({ pattern: idPattern("task"), examples: ["tsk_01JD6V7W9Q3E4R5T6Y7Z8H9K0P"] }),
  ),
  tag_id: Type.Optional(
    Type.String({
      pattern: idPattern("tag"),
      description: "Entries carrying this tag",
      examples: ["tag_01JD6V7W9Q3E4R5T6Y7Z8H9K0P"],
    }),
  ),
  billable: Type.Optional(Type.Boolean({ examples: [true] })),
};

export const SummaryQuery = Type.Object(
  {
    ...ReportFilterProperties,
    group_by: Type.Optional(
      Type.String({
        maxLength: 100,
        description:
          `One or two of ${DIMENSIONS.join(", ")}, comma-separated (default \`project\`); at most ` +
          `${MAX_BUCKETS} calendar buckets (\`day\` over up to ${MAX_BUCKETS - 1} days)`,
        examples: ["project,user"],
      }),
    ),
  },
  { additionalProperties: false },
);
export type SummaryQuery = Static<typeof SummaryQuery>;

const amounts = {
  seconds: Type.Integer({ description: "Tracked time", examples: [27000] }),
  billable_seconds: Type.Integer({ description: "Of which billable", examples: [23400] }),
  billable_amount: Type.Integer({
    description: "Sum over billable entries of round(duration × rate / 3600), in minor units",
    examples: [195000],
  }),
  entries: Type.Integer({ description: "Number of time entries", examples: [12] }),
};

const bucket = (description: string) =>
  Type.String({ format: "date", description, examples: ["2024-03-25"] });
const label = Type.Union([Type.String(), Type.Null()]);

export const SummaryGroupSchema = Type.Object(
  {
    key: Type.Object(
      {
        project_id: Type.Optional(nullableId("project", PROJECT_EXAMPLE)),
        client_id: Type.Optional(nullableId("client", "cli_01JD6V7W9Q3E4R5T6Y7Z8H9K0P")),
        task_id: Type.Optional(nullableId("task", "tsk_01JD6V7W9Q3E4R5T6Y7Z8H9K0P")),
        tag_id: Type.Optional(nullableId("tag", "tag_01JD6V7W9Q3E4R5T6Y7Z8H9K0P")),
        user_id: Type.Optional(Type.String({ pattern: idPattern("user"), examples: [USER_EXAMPLE] })),
        day: Type.Optional(bucket("Local date of the entries' start")),
        week: Type.Optional(bucket("First day of the week (the organization's week_start)")),
        month: Type.Optional(bucket("First day of the month")),
      },
      {
        additionalProperties: false,
        description: "One field per grouping; null gathers entries without a project, client, task or tag",
      },
    ),
    labels: Type.Object(
      {
        project: Type.Optional(label),
        client: Type.Optional(label),
        task: Type.Optional(label),
        tag: Type.Optional(label),
        user: Type.Optional(label),
      },
      {
        additionalProperties: false,
        description: "Names of the grouped resources (project, client and tag names, task title, user name)",
        examples: [{ project: "Website redesign", user: "Ada Lovelace" }],
      },
    ),
    ...amounts,
  },
  { additionalProperties: false },
);

export const SummarySchema = Type.Object(
  {
    from: Type.String({
      format: "date-time",
      description: "Start of the period (inclusive)",
      examples: ["2024-02-29T23:00:00Z"],
    }),
    to: Type.String({
      format: "date-time",
      description: "End of the period (exclusive)",
      examples: ["2024-03-31T22:00:00Z"],
    }),
    timezone: Type.String({
      description: "The organization's timezone, used for dates and buckets",
      examples: ["Europe/Berlin"],
    }),
    group_by: Type.Array(Type.Unsafe<string>({ type: "string", enum: DIMENSIONS }), {
      examples: [["project", "user"]],
    }),
    currency: Type.String({ description: "ISO 4217 code of every amount", examples: ["EUR"] }),
    totals: Type.Object(amounts, {
      additionalProperties: false,
      description: "Over all entries of the period, each counted once (even with several tags)",
    }),
    groups: Type.Array(SummaryGroupSchema, { description: "Sorted by the first grouping, then the second" }),
  },
  { $id: "Summary", additionalProperties: false },
);
export type Summary = Static<typeof SummarySchema>;
export type SummaryGroup = Static<typeof SummaryGroupSchema>;

/**
 * The detailed report is a list (SPEC §5): pages, sort and a cursor come from the shared list
 * declaration; the period and the filters are the summary's, applied by the store.
 */
export const DETAILED_LIST: ListSpec = {
  table: "time_entries",
  alias: "te",
  filters: {},
  sort: { fields: { start: "te.start_at" }, default: "start", order: "asc" },
  cursor: { idPattern: idPattern("timeEntry") },
};

export const DetailedQuery = Type.Object(
  { ...listQuerySchema(DETAILED_LIST).properties, ...ReportFilterProperties },
  { additionalProperties: false },
);
export type DetailedQuery = Static<typeof DetailedQuery>;

const timestamp = Type.String({ format: "date-time", examples: ["2024-03-04T08:30:00Z"] });
export const DetailedEntrySchema = Type.Object(
  {
    id: Type.String({ pattern: idPattern("timeEntry"), examples: ["te_01JD6V7W9Q3E4R5T6Y7Z8H9K0P"] }),
    user_id: Type.String({ pattern: idPattern("user"), examples: [USER_EXAMPLE] }),
    project_id: nullableId("project", PROJECT_EXAMPLE),
    task_id: nullableId("task", "tsk_01JD6V7W9Q3E4R5T6Y7Z8H9K0P"),
    description: Type.String({ examples: ["Sprint planning"] }),
    start: timestamp,
    end: timestamp,
    duration: Type.Integer({ description: "Seconds", examples: [5400] }),
    billable: Type.Boolean({ examples: [true] }),
    billable_rate: Type.Integer({
      description: "Minor units per hour, fixed when the entry was written",
      examples: [9000],
    }),
    billable_amount: Type.Integer({
      description: "round(duration × billable_rate / 3600) in minor units; 0 when not billable",
      examples: [13500],
    }),
    tag_ids: Type.Array(Type.String({ pattern: idPattern("tag") }), {
      examples: [["tag_01JD6V7W9Q3E4R5T6Y7Z8H9K0P"]],
    }),
  },
  { $id: "ReportEntry", additionalProperties: false },
);
export type DetailedEntry = Static<typeof DetailedEntrySchema>;
