import { stringify } from "csv-stringify/sync";
import type { FineScope } from "../../platform/auth/scopes.js";
import type { Db } from "../../platform/db/connection.js";
import type { Role } from "../../platform/db/schema.js";
import { ApiError } from "../../platform/errors.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { toTimeEntry } from "../time-entries/format.js";
import type { TimeEntry } from "../time-entries/schemas.js";
import { createTimeEntryStore, type TimeEntryFilters } from "../time-entries/store.js";
import { seesEveryone } from "../time-entries/writes.js";
import { type ExportParams, MAX_EXPORT_ROWS } from "./schemas.js";
import { createJobStore } from "./store.js";

/** Rows read (and progress reported) per keyset page. */
export const EXPORT_PAGE_SIZE = 5_000;

/**
 * The CSV columns, in order. An import reads the same file back: it takes the columns in
 * IMPORTED_COLUMNS (sources/voltasis.ts) and ignores the rest, which the export writes for
 * people and spreadsheets.
 */
export const CSV_COLUMNS = [
  "id",
  "user_id",
  "user_email",
  "project_id",
  "task_id",
  "description",
  "start",
  "end",
  "duration",
  "billable",
  "hourly_rate",
  "billable_rate",
  "billable_amount",
  "currency",
  "tag_ids",
  "created_at",
  "updated_at",
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

// A cell a spreadsheet would run as a formula (CSV injection) gets a leading apostrophe. A value
// that already starts with apostrophes before such a character gets one more, so that removing
// exactly one on import gives back every value unchanged.
const FORMULA = /^'*[=+\-@\t\r]/;
export const escapeCell = (value: string) => (FORMULA.test(value) ? `'${value}` : value);
export const unescapeCell = (value: string) => (/^'+[=+\-@\t\r]/.test(value) ? value.slice(1) : value);

export const TAG_SEPARATOR = ";";

function csvRecord(entry: TimeEntry, email: string | undefined): string[] {
  const cells: Record<CsvColumn, string> = {
    id: entry.id,
    user_id: entry.user_id,
    user_email: email ?? "",
    project_id: entry.project_id ?? "",
    task_id: entry.task_id ?? "",
    description: entry.description,
    start: entry.start,
    end: entry.end ?? "",
    duration: String(entry.duration),
    billable: String(entry.billable),
    hourly_rate: entry.hourly_rate === null ? "" : String(entry.hourly_rate),
    billable_rate: String(entry.billable_rate),
    billable_amount: String(entry.billable_amount),
    currency: entry.currency,
    tag_ids: entry.tag_ids.join(TAG_SEPARATOR),
    created_at: entry.created_at,
    updated_at: entry.updated_at,
  };
  return CSV_COLUMNS.map((column) => escapeCell(cells[column]));
}

export interface ExportRun {
  db: Db;
  ctx: OrgContext;
  actor: { userId: string; role: Role; allowed: ReadonlySet<FineScope> };
  params: ExportParams;
  /** Reports percent done; throws when the job was taken over. */
  progress(percent: number): Promise<void>;
  /** Stores piece `seq` of the file in the export's transaction. */
  save(trx: Db, seq: number, data: string): Promise<void>;
}

/**
 * Writes every entry the filters match, oldest first, as the list endpoint shows it (members'
 * exports hold only their own; e-mails only for a credential that reads users). Keyset pages
 * inside one REPEATABLE READ snapshot, each stored as it is made: memory stays one page deep, and
 * an entry written meanwhile cannot shift the pages.
 */
export async function runExport(run: ExportRun) {
  const { ctx, params, actor } = run;
  const { format, ...filters } = params;
  if (!actor.allowed.has("read:time-entries")) {
    throw new ApiError("FORBIDDEN", "The job's credential may no longer read time entries", {
      reason: "insufficient_scope",
    });
  }
  const onlyUserId = seesEveryone(actor) ? undefined : actor.userId;
  const withEmails = format === "csv" && actor.allowed.has("read:users");
  return run.db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (trx) => {
      const entries = createTimeEntryStore(trx);
      const [total, settings, emails] = await Promise.all([
        entries.filteredCount(ctx, filters as TimeEntryFilters, onlyUserId),
        entries.settings(ctx),
        withEmails ? createJobStore(trx).memberEmails(ctx) : new Map<string, string>(),
      ]);
      if (total > MAX_EXPORT_ROWS) {
        throw new ApiError(
          "VALIDATION_ERROR",
          `The export would hold ${total} entries, more than the ${MAX_EXPORT_ROWS} one job may write; ` +
            "narrow it with from/to or other filters",
          { reason: "too_many_rows", limit: MAX_EXPORT_ROWS },
        );
      }
      let seq = 0;
      const save = (data: string) => run.save(trx, seq++, data);
      await save(format === "csv" ? stringify([[...CSV_COLUMNS]]) : "[\n");
      const now = Date.now();
      let done = 0;
      let afterId: string | null = null;
      for (;;) {
        const rows = await entries.filteredPage(
          ctx,
          filters as TimeEntryFilters,
          onlyUserId,
          afterId,
          EXPORT_PAGE_SIZE,
        );
        if (rows.length === 0) break;
        const page = rows.map((row) => toTimeEntry(row, settings.currency, now));
        if (format === "csv") {
          await save(stringify(page.map((entry) => csvRecord(entry, emails.get(entry.user_id)))));
        } else {
          await save(`${done > 0 ? ",\n" : ""}${page.map((entry) => JSON.stringify(entry)).join(",\n")}`);
        }
        done += rows.length;
        afterId = rows[rows.length - 1]?.id ?? null;
        await run.progress(Math.min(99, Math.floor((done * 100) / Math.max(total, 1))));
        if (rows.length < EXPORT_PAGE_SIZE) break;
      }
      if (format === "json") await save(done > 0 ? "\n]\n" : "]\n");
      return {
        result: { format, rows_exported: done },
        contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      };
    });
}
