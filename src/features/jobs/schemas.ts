import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/ids.js";
import { type ListSpec, listQuerySchema } from "../../platform/list-query.js";
import { ListTimeEntriesQuery } from "../time-entries/schemas.js";
import { DATE_FORMATS, type DateFormat } from "./sources/dates.js";
import { SOURCES, type Source } from "./sources/types.js";

export const JOB_TYPES = ["export.time_entries", "import.time_entries"] as const;
export type JobType = (typeof JOB_TYPES)[number];
export const JOB_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
export const IMPORT_MODES = ["all_or_nothing", "valid_rows"] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];
export const UNKNOWN_PEOPLE = ["report", "import_as_me"] as const;
export type UnknownPeople = (typeof UNKNOWN_PEOPLE)[number];

/** The job summary lists this many row errors; the result download has them all. */
export const MAX_LISTED_ERRORS = 100;

/**
 * Bounds (the hardening issue): how much one job may do, and how many one credential may have.
 * An export of more rows fails and says to narrow it with filters; an import of more rows is
 * refused. A credential's jobs beyond the running cap wait in the queue; beyond the unfinished
 * cap, POST /v1/jobs answers 409 `too_many_jobs`.
 */
export const MAX_EXPORT_ROWS = 1_000_000;
export const MAX_IMPORT_ROWS = 100_000;
export const MAX_RUNNING_PER_CREDENTIAL = 2;
export const MAX_UNFINISHED_PER_CREDENTIAL = 100;

const JOB_ID = "job_01JD6V7W9Q3E4R5T6Y7V8K9M0P";
const JobId = Type.String({ pattern: idPattern("job"), description: "Job id", examples: [JOB_ID] });
const stringEnum = <T extends readonly string[]>(values: T, description: string) =>
  Type.Unsafe<T[number]>(Type.String({ enum: [...values], description, examples: [values[0]] }));
const timestampOrNull = (description: string) =>
  Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
    description,
    examples: ["2024-01-15T09:00:03Z"],
  });

// The list endpoint's paging and sorting: an export takes everything the filters match, oldest first.
const PAGING = new Set(["limit", "offset", "page", "per_page", "sort", "order", "starting_after"]);

/** Exactly the filters of GET /v1/time-entries, as JSON values (`billable: true`, not `"true"`). */
const TIME_ENTRY_FILTERS: Record<string, TSchema> = Object.fromEntries(
  Object.entries(ListTimeEntriesQuery.properties).filter(([name]) => !PAGING.has(name)),
);

export const ExportParams = Type.Object(
  {
    format: stringEnum(["csv", "json"], "`csv` (columns as documented) or `json` (an array of time entries)"),
    ...TIME_ENTRY_FILTERS,
  },
  {
    additionalProperties: false,
    description:
      "The format and any filters of GET /v1/time-entries (`user_id`, `project_id`, `task_id`, `tag_id`, " +
      "`billable`, `running`, `from`, `to`); members' exports hold only their own entries",
    examples: [{ format: "csv", project_id: "prj_01JD6V7W9Q3E4R5T6Y7V8K9M0P", from: "2024-01-01T00:00:00Z" }],
  },
);
export type ExportParams = { format: "csv" | "json" } & Record<string, unknown>;

export const ImportParams = Type.Object(
  {
    csv: Type.String({
      minLength: 1,
      description:
        "The CSV file's text: a header row, then one time entry per row. For `source: voltasis`, the " +
        "columns of Voltasis's own export; otherwise the product's export as downloaded",
      examples: ["start,end,project_id,description\n2024-01-15T09:00:00Z,2024-01-15T10:30:00Z,,Planning\n"],
    }),
    mode: Type.Optional(
      stringEnum(
        IMPORT_MODES,
        "`all_or_nothing` (default): nothing is imported if any row fails; `valid_rows`: every valid row " +
          "is imported (in one transaction) and the others reported",
      ),
    ),
    source: Type.Optional(
      stringEnum(
        SOURCES,
        "Whose export the file is: `voltasis` (default; the columns of this API's CSV export), `toggl` " +
          "(Toggl Track's Detailed report CSV), `clockify` (Clockify's Detailed report CSV) or `harvest` " +
          "(Harvest's Detailed time report CSV). Columns are matched by name, in any order",
      ),
    ),
    timezone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description:
          "The IANA time zone the file's local dates and times are in (Toggl: the exporting user's " +
          "profile zone; Clockify and Harvest: the account's). Default: the organization's `timezone` " +
          "setting. Not for `voltasis` files, whose times carry their offset",
        examples: ["Europe/Berlin"],
      }),
    ),
    date_format: Type.Optional(
      stringEnum(
        DATE_FORMATS,
        "How the file writes dates, as the product's account is set. Default: detected from the file; " +
          "a file whose dates read either way (every day 12 or less) fails with `ambiguous_date_format` " +
          "until this says which. Not for `voltasis` files",
      ),
    ),
    unknown_people: Type.Optional(
      stringEnum(
        UNKNOWN_PEOPLE,
        "Rows of a person who is not an active member of the organization (matched by e-mail, or by " +
          "name where the file has no e-mail): `report` (default) makes each a row error; " +
          "`import_as_me` imports them as the importing user",
      ),
    ),
    dry_run: Type.Optional(
      Type.Boolean({
        description:
          "`true`: check everything and report what the import would create (entries, clients, projects, " +
          "tasks, tags, skipped and refused rows) without writing any of it. Default `false`",
        examples: [true],
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "The file to import, whose export it is, and what to do with bad rows",
    examples: [{ csv: "User,Email,…", source: "toggl", timezone: "Europe/Berlin", dry_run: true }],
  },
);
export type ImportParams = Static<typeof ImportParams>;

/** An import's params as the job keeps them: defaults filled in, the file stored apart. */
export interface ImportSettings {
  mode: ImportMode;
  source: Source;
  unknown_people: UnknownPeople;
  dry_run: boolean;
  /** The zone the file's local times are read in (foreign sources only). */
  timezone?: string;
  date_format?: DateFormat;
}

// `type` picks the params schema. if/then (rather than an anyOf of the two) reports the first real
// mistake, such as an unknown filter at `params.<name>`, instead of "matches no alternative".
const paramsFor = (type: JobType, params: TSchema) => ({
  if: { properties: { type: { const: type } }, required: ["type"] },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a promise
  then: { properties: { params } },
});

export const CreateJobBody = Type.Object(
  {
    type: stringEnum(JOB_TYPES, "What the job does"),
    params: Type.Union([ExportParams, ImportParams], { description: "Depends on `type`" }),
  },
  {
    additionalProperties: false,
    allOf: [paramsFor("export.time_entries", ExportParams), paramsFor("import.time_entries", ImportParams)],
  },
);
export type CreateJobBody = { type: JobType; params: Record<string, unknown> };

export const RowErrorSchema = Type.Object(
  {
    row: Type.Integer({
      minimum: 2,
      description: "The row in the file as a spreadsheet numbers it: the header is row 1",
      examples: [7],
    }),
    field: Type.String({ description: "The column at fault", examples: ["project_id"] }),
    reason: Type.String({ description: "A machine code, as in API errors", examples: ["not_found"] }),
    message: Type.String({
      examples: ["No project with id prj_01JD6V7W9Q3E4R5T6Y7V8K9M0P in this organization"],
    }),
  },
  { additionalProperties: false },
);
export type RowError = Static<typeof RowErrorSchema>;

const count = (description: string) => Type.Integer({ minimum: 0, description, examples: [50000] });

export const ImportResultSchema = Type.Object(
  {
    mode: stringEnum(IMPORT_MODES, "How bad rows were handled"),
    source: stringEnum(SOURCES, "Whose export the file was"),
    dry_run: Type.Boolean({ description: "Whether this was a dry run: if so, nothing was written" }),
    date_format: Type.Union([stringEnum(DATE_FORMATS, "How the dates were read"), Type.Null()], {
      description: "The date format given or detected; null for `voltasis` files",
      examples: ["DD.MM.YYYY"],
    }),
    rows_total: count("Rows in the file, header and blank lines excluded"),
    rows_imported: count("Entries created (in a dry run: that would be)"),
    rows_skipped: count("Rows already imported by an earlier import (same fingerprint): left alone"),
    rows_failed: count("Rows refused; the error count"),
    created: Type.Object(
      {
        clients: count("Clients created because the file named them"),
        projects: count("Projects created"),
        tasks: count("Tasks created"),
        tags: count("Tags created"),
      },
      {
        additionalProperties: false,
        description: "What the import created besides entries (in a dry run: would create)",
      },
    ),
    rates_dropped: count(
      "Entries imported without the file's hourly rate, because its currency is not the organization's",
    ),
    errors: Type.Array(RowErrorSchema, {
      maxItems: MAX_LISTED_ERRORS,
      description: `The first ${MAX_LISTED_ERRORS} row errors; GET …/result has them all`,
    }),
  },
  { additionalProperties: false },
);
export type ImportResult = Static<typeof ImportResultSchema>;

export const JobResultSchema = Type.Union(
  [
    Type.Object(
      {
        format: stringEnum(["csv", "json"], "The file's format"),
        rows_exported: count("Entries in the file"),
      },
      { additionalProperties: false },
    ),
    ImportResultSchema,
    Type.Null(),
  ],
  { description: "What the job did; null until it has finished" },
);
export type JobResult = Static<typeof JobResultSchema>;

export const JobSchema = Type.Object(
  {
    id: JobId,
    type: stringEnum(JOB_TYPES, "What the job does"),
    status: stringEnum(JOB_STATUSES, "queued → running → succeeded or failed"),
    progress: Type.Integer({ minimum: 0, maximum: 100, description: "Percent done", examples: [40] }),
    params: Type.Record(Type.String(), Type.Unknown(), {
      description: "As created, without an import's `csv`",
      examples: [{ format: "csv", billable: true }],
    }),
    result: JobResultSchema,
    error: Type.Union(
      [
        Type.Object(
          {
            code: Type.String({ examples: ["rows_invalid"] }),
            message: Type.String({ examples: ["3 rows failed; nothing was imported"] }),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: "Why the job failed; null otherwise" },
    ),
    created_by: Type.Union([Type.String(), Type.Null()], {
      description: "The user who created the job",
      examples: ["usr_01JD6V7W9Q3E4R5T6Y7V8K9M0P"],
    }),
    created_at: Type.String({ format: "date-time", examples: ["2024-01-15T09:00:00Z"] }),
    started_at: timestampOrNull("When a worker picked it up (last attempt)"),
    finished_at: timestampOrNull("When it succeeded or failed"),
  },
  { $id: "Job", additionalProperties: false },
);
export type Job = Static<typeof JobSchema>;

export const JobParams = Type.Object({ id: JobId }, { additionalProperties: false });

export const JOB_LIST: ListSpec = {
  table: "jobs",
  alias: "j",
  filters: {
    type: { schema: stringEnum(JOB_TYPES, "Only jobs of this type"), column: "j.type" },
    status: { schema: stringEnum(JOB_STATUSES, "Only jobs in this status"), column: "j.status" },
  },
  range: { column: "j.created_at", description: "Jobs created" },
  sort: { fields: { created_at: "j.created_at" }, default: "created_at", order: "desc" },
  cursor: { idPattern: idPattern("job") },
};
export const ListJobsQuery = listQuerySchema(JOB_LIST);
