import Ajv from "ajv";
import addFormats from "ajv-formats";
import { parse } from "csv-parse/sync";
import type { Db } from "../../platform/db/connection.js";
import type { Role } from "../../platform/db/schema.js";
import { type AjvError, fromValidation } from "../../platform/error-handler.js";
import { ApiError, ConflictError, ValidationError } from "../../platform/errors.js";
import { newId } from "../../platform/ids.js";
import type { OrgContext } from "../../platform/tenancy.js";
import {
  checkRateAllowed,
  checkSpan,
  checkUnlocked,
  derivedEnd,
  effectiveRate,
  notOwner,
  toSecond,
} from "../time-entries/rules.js";
import { CreateTimeEntryBody } from "../time-entries/schemas.js";
import type { EntryValues, TimeEntryStore } from "../time-entries/store.js";
import { inTransaction, resolveReferences, seesEveryone, type Write } from "../time-entries/writes.js";
import { CSV_COLUMNS, type CsvColumn, TAG_SEPARATOR, unescapeCell } from "./export.js";
import { type ImportMode, MAX_IMPORT_ROWS, MAX_LISTED_ERRORS, type RowError } from "./schemas.js";
import { createJobStore } from "./store.js";

/** The columns an import reads; the export's other columns (id, duration, amounts …) are ignored. */
export const IMPORTED_COLUMNS: readonly CsvColumn[] = [
  "user_id",
  "user_email",
  "project_id",
  "task_id",
  "description",
  "start",
  "end",
  "billable",
  "hourly_rate",
  "tag_ids",
];

/** Rows validated between two progress reports. */
const PROGRESS_EVERY = 5_000;

// The validator of POST /v1/time-entries bodies, configured as the app's (platform/validation.ts).
const ajv = addFormats.default(
  new Ajv.default({ removeAdditional: false, useDefaults: true, allErrors: false, strict: false }),
);
const validateBody = ajv.compile(CreateTimeEntryBody);

function parseCsv(text: string, options: { to?: number } = {}): string[][] {
  try {
    return parse(text, { bom: true, relax_column_count: true, ...options }) as string[][];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ValidationError("params.csv", `The CSV cannot be read: ${message}`, "invalid_csv");
  }
}

/**
 * Checked when the job is created, so a wrong file is a 400 at once: every column must be one
 * of the export's (no typo goes unnoticed), at most once, and `start` must be there.
 */
export function checkHeader(csv: string): string[] {
  const [header] = parseCsv(csv, { to: 1 });
  const columns = (header ?? []).map((name) => name.trim().toLowerCase());
  if (columns.length === 0 || (columns.length === 1 && columns[0] === "")) {
    throw new ValidationError("params.csv", "The CSV has no header row", "missing_header");
  }
  for (const [i, column] of columns.entries()) {
    if (!(CSV_COLUMNS as readonly string[]).includes(column)) {
      throw new ValidationError(
        "params.csv",
        `Unknown column "${column}"; the columns are those of the export: ${CSV_COLUMNS.join(", ")}`,
        "unknown_column",
        { column },
      );
    }
    if (columns.indexOf(column) !== i) {
      throw new ValidationError("params.csv", `Column "${column}" appears twice`, "duplicate_column", {
        column,
      });
    }
  }
  if (!columns.includes("start")) {
    throw new ValidationError("params.csv", 'The header needs a "start" column', "missing_column", {
      column: "start",
    });
  }
  return columns;
}

/** Lookups that thousands of rows repeat with the same few ids, asked once each; writes pass through. */
function rememberingLookups(store: TimeEntryStore): TimeEntryStore {
  const memo = <A extends string, R>(lookup: (ctx: OrgContext, id: A) => Promise<R>) => {
    const seen = new Map<string, Promise<R>>();
    return (ctx: OrgContext, id: A) => {
      const known = seen.get(id);
      if (known) return known;
      const answer = lookup(ctx, id);
      seen.set(id, answer);
      return answer;
    };
  };
  const tags = new Map<string, boolean>();
  return {
    ...store,
    membership: memo(store.membership),
    project: memo(store.project),
    task: memo(store.task),
    findRunning: memo(store.findRunning),
    async existingTags(ctx, ids) {
      const unknown = ids.filter((id) => !tags.has(id));
      if (unknown.length > 0) {
        const found = new Set(await store.existingTags(ctx, unknown));
        for (const id of unknown) tags.set(id, found.has(id));
      }
      return ids.filter((id) => tags.get(id));
    },
  };
}

/** A CSV row as the body POST /v1/time-entries would take: empty cells are absent fields. */
function toBody(cells: Map<string, string>, userId: string | undefined) {
  const text = (column: CsvColumn) => {
    const value = cells.get(column);
    if (value === undefined) return undefined;
    const cell = column === "description" ? value : value.trim();
    return cell === "" ? undefined : unescapeCell(cell);
  };
  const body: Record<string, unknown> = {};
  for (const column of ["start", "end", "project_id", "task_id", "description"] as const) {
    const value = text(column);
    if (value !== undefined) body[column] = value;
  }
  const billable = text("billable")?.toLowerCase();
  if (billable !== undefined)
    body.billable = billable === "true" ? true : billable === "false" ? false : billable;
  const rate = text("hourly_rate");
  if (rate !== undefined) body.hourly_rate = /^-?\d{1,15}$/.test(rate) ? Number(rate) : rate;
  const tags = text("tag_ids");
  if (tags !== undefined)
    body.tag_ids = tags
      .split(TAG_SEPARATOR)
      .map((tag) => tag.trim())
      .filter(Boolean);
  if (userId !== undefined) body.user_id = userId;
  return body;
}

function rowError(row: number, error: unknown, fallbackField: string): RowError {
  if (!(error instanceof ApiError)) throw error;
  const details = error.details ?? {};
  const field = typeof details.field === "string" && details.field !== "body" ? details.field : fallbackField;
  const reason = typeof details.reason === "string" ? details.reason : error.code.toLowerCase();
  return { row, field, reason, message: error.message };
}

/** Spans of one user accepted so far, sorted by start and (so) by end: [start, end), end Infinity if running. */
function overlapsAccepted(accepted: Array<[number, number]>, start: number, end: number): boolean {
  if (end === start) return false; // an empty range overlaps nothing, as in PostgreSQL
  let lo = 0;
  let hi = accepted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((accepted[mid] as [number, number])[0] < start) lo = mid + 1;
    else hi = mid;
  }
  const before = accepted[lo - 1];
  const after = accepted[lo];
  if ((before && before[1] > start) || (after && after[0] < end)) return true;
  accepted.splice(lo, 0, [start, end]);
  return false;
}

interface Candidate {
  row: number;
  id: string;
  values: EntryValues;
  tagIds: string[];
}

export interface ImportRun {
  db: Db;
  ctx: OrgContext;
  actor: { userId: string; role: Role };
  csv: string;
  mode: ImportMode;
  progress(percent: number): Promise<void>;
  /** Ends the job in the import's transaction, so its entries and its status commit together. */
  complete(trx: Db, outcome: ImportOutcome): Promise<void>;
}

export interface ImportOutcome {
  status: "succeeded" | "failed";
  result: {
    mode: ImportMode;
    rows_total: number;
    rows_imported: number;
    rows_failed: number;
    errors: RowError[];
  };
  error: { code: string; message: string } | null;
  file: { text: string; contentType: string };
}

/**
 * Applies POST /v1/time-entries' rules to every row (the same schema, rule functions and
 * reference checks, with lookups remembered across rows), then writes the valid rows with a few
 * multi-row INSERTs instead of one request each, in one transaction with the job's outcome.
 * Imported entries raise no time_entry.created event each; the job's own event reports them.
 */
export async function runImport(run: ImportRun): Promise<void> {
  const { ctx, actor } = run;
  const records = parseCsv(run.csv);
  if (records.length - 1 > MAX_IMPORT_ROWS) {
    throw new ValidationError(
      "params.csv",
      `The file has ${records.length - 1} rows; one import takes at most ${MAX_IMPORT_ROWS}: split it`,
      "too_many_rows",
      { limit: MAX_IMPORT_ROWS },
    );
  }
  const columns = (records[0] ?? []).map((name) => name.trim().toLowerCase());
  const readColumns = columns.filter((column) => (IMPORTED_COLUMNS as readonly string[]).includes(column));
  const now = Date.now();
  await inTransaction(run.db, ctx, async (tx) => {
    const w: Write = { ...tx, store: rememberingLookups(tx.store) };
    const emails = new Map(
      [...(await createJobStore(tx.trx).memberEmails(ctx))].map(([id, email]) => [email.toLowerCase(), id]),
    );
    const errors: RowError[] = [];
    const candidates: Candidate[] = [];
    const runningUsers = new Set<string>();
    let rowsTotal = 0;
    for (let i = 1; i < records.length; i++) {
      const record = records[i] as string[];
      const row = i + 1;
      if (i % PROGRESS_EVERY === 0) await run.progress(Math.floor((i * 80) / records.length));
      // A blank line is no entry, though it keeps its row number, as in a spreadsheet.
      if (record.every((cell) => cell.trim() === "")) continue;
      rowsTotal += 1;
      let field = "start";
      try {
        if (record.length !== columns.length) {
          throw new ValidationError(
            "row",
            `The row has ${record.length} cells; the header has ${columns.length}`,
            "column_count",
          );
        }
        const cells = new Map(readColumns.map((column) => [column, record[columns.indexOf(column)] ?? ""]));
        let userId = cells.get("user_id")?.trim() || undefined;
        const email = cells.get("user_email")?.trim();
        if (userId === undefined && email) {
          field = "user_email";
          userId = emails.get(email.toLowerCase());
          if (!userId) throw new ValidationError("user_email", `No member with e-mail ${email}`, "not_found");
        }
        const body = toBody(cells, userId);
        if (!validateBody(body)) throw fromValidation(validateBody.errors?.[0] as AjvError, "body");
        const start = toSecond(body.start as string);
        const end = derivedEnd(start, body.end as string | undefined, undefined);
        checkSpan(start, end, now);
        const owner = (body.user_id as string | undefined) ?? actor.userId;
        field = "user_id";
        if (owner !== actor.userId && !seesEveryone(actor)) {
          throw notOwner("Members can only import their own time entries");
        }
        field = "start";
        checkUnlocked(w.settings, start);
        field = "project_id";
        const projectId = (body.project_id as string | undefined) ?? null;
        const taskId = (body.task_id as string | undefined) ?? null;
        const tagIds = body.tag_ids as string[] | undefined;
        const {
          member,
          project,
          projectId: resolvedProject,
        } = await resolveReferences(
          w,
          ctx,
          { userId: owner, projectId, taskId, inferProject: body.project_id === undefined },
          tagIds,
        );
        if (end === null) {
          field = "end";
          if (runningUsers.has(owner) || (await w.store.findRunning(ctx, owner))) {
            throw new ConflictError("This user already has a running timer", "timer_running");
          }
          runningUsers.add(owner);
        }
        const hourlyRate = (body.hourly_rate as number | undefined) ?? null;
        field = "hourly_rate";
        checkRateAllowed(w.settings, actor, { from: null, to: hourlyRate });
        candidates.push({
          row,
          id: newId("timeEntry"),
          tagIds: tagIds ?? [],
          values: {
            user_id: owner,
            project_id: resolvedProject,
            task_id: taskId,
            description: (body.description as string | undefined) ?? "",
            start_at: start,
            end_at: end,
            billable: (body.billable as boolean | undefined) ?? project?.billable ?? true,
            hourly_rate: hourlyRate,
            billable_rate: effectiveRate(hourlyRate, project, member, w.settings),
          },
        });
      } catch (error) {
        errors.push(rowError(row, error, field));
      }
    }

    let accepted = candidates;
    if (w.settings.prevent_overlaps) accepted = await withoutOverlaps(w, ctx, candidates, errors);
    errors.sort((a, b) => a.row - b.row);

    const refuse = run.mode === "all_or_nothing" && errors.length > 0;
    const imported = refuse ? [] : accepted;
    await run.progress(85);
    await w.store.insertMany(ctx, imported);
    const result = {
      mode: run.mode,
      rows_total: rowsTotal,
      rows_imported: imported.length,
      rows_failed: errors.length,
      errors,
    };
    await run.complete(tx.trx, {
      status: refuse ? "failed" : "succeeded",
      result: { ...result, errors: errors.slice(0, MAX_LISTED_ERRORS) },
      error: refuse
        ? {
            code: "rows_invalid",
            message: `${errors.length} of ${rowsTotal} rows failed; nothing was imported (mode all_or_nothing)`,
          }
        : null,
      file: { text: `${JSON.stringify(result, null, 2)}\n`, contentType: "application/json; charset=utf-8" },
    });
  });
}

/**
 * With prevent_overlaps, as POST /v1/time-entries refuses an entry that meets another of the
 * same user: first against the entries already stored (one query, under the users' write locks),
 * then row by row against the rows accepted before it, as if they had been posted in file order.
 */
async function withoutOverlaps(w: Write, ctx: OrgContext, candidates: Candidate[], errors: RowError[]) {
  const users = [...new Set(candidates.map((c) => c.values.user_id))].sort();
  for (const user of users) await w.store.lockUser(ctx, user);
  const stored = new Set(
    await w.store.overlappingSpans(
      ctx,
      candidates.map((c) => ({ userId: c.values.user_id, start: c.values.start_at, end: c.values.end_at })),
    ),
  );
  const acceptedByUser = new Map<string, Array<[number, number]>>();
  const accepted: Candidate[] = [];
  candidates.forEach((candidate, index) => {
    const { user_id: user, start_at: start, end_at: end } = candidate.values;
    const spans = acceptedByUser.get(user) ?? [];
    acceptedByUser.set(user, spans);
    if (stored.has(index) || overlapsAccepted(spans, start.getTime(), end?.getTime() ?? Infinity)) {
      errors.push({
        row: candidate.row,
        field: "start",
        reason: "overlap",
        message: "The entry overlaps another entry of the same user",
      });
    } else accepted.push(candidate);
  });
  return accepted;
}
