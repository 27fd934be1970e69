import { CSV_COLUMNS, type CsvColumn, TAG_SEPARATOR, unescapeCell } from "../export.js";
import type { RowError } from "../schemas.js";
import { fileError, readHeader, readRecords } from "./csv.js";
import { detectSource, wrongProduct } from "./detect.js";
import { fingerprinter } from "./fingerprint.js";

/** The columns an import reads; the export's other columns (duration, amounts …) are ignored. */
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

/** One row of Voltasis's own CSV, as the body POST /v1/time-entries would take. */
export interface VoltasisRow {
  row: number;
  fingerprint: string;
  /** `user_id` only when the file gives one; empty cells are absent fields. */
  body: Record<string, unknown>;
  /** The row's `user_email`, when it has no `user_id`: the import matches it to a member. */
  email?: string;
}

export type VoltasisReadRow = { ok: true; entry: VoltasisRow } | { ok: false; error: RowError };

/**
 * The header of a Voltasis file, checked when the job is created: every column must be one of
 * the export's (no typo goes unnoticed), at most once, and `start` must be there. A header that
 * is clearly another product's says which.
 */
export function checkVoltasisHeader(csv: string): { columns: string[]; delimiter: string } {
  const { names, delimiter } = readHeader(csv);
  const detected = detectSource(names);
  if (detected && detected !== "voltasis") throw wrongProduct("voltasis", detected);
  const columns = names.map((name) => name.toLowerCase());
  for (const [i, column] of columns.entries()) {
    if (!(CSV_COLUMNS as readonly string[]).includes(column)) {
      throw fileError(
        `Unknown column "${column}"; the columns are those of the export: ${CSV_COLUMNS.join(", ")}`,
        "unknown_column",
        { column },
      );
    }
    if (columns.indexOf(column) !== i) {
      throw fileError(`Column "${column}" appears twice`, "duplicate_column", { column });
    }
  }
  if (!columns.includes("start")) {
    throw fileError('The header needs a "start" column', "missing_column", { column: "start" });
  }
  return { columns, delimiter };
}

/** A row's cells as the body POST /v1/time-entries would take: empty cells are absent fields. */
function toBody(cells: Map<string, string>) {
  const text = (column: CsvColumn) => {
    const value = cells.get(column);
    if (value === undefined) return undefined;
    const cell = column === "description" ? value : value.trim();
    return cell === "" ? undefined : unescapeCell(cell);
  };
  const body: Record<string, unknown> = {};
  for (const column of ["user_id", "start", "end", "project_id", "task_id", "description"] as const) {
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
  return body;
}

/**
 * Every data row of a Voltasis CSV (blank lines skipped, numbers kept). A row's fingerprint is
 * its `id` when the file has one (an export read back), else the content of the columns read.
 */
export function readVoltasis(csv: string, maxRows: number): VoltasisReadRow[] {
  const { columns, delimiter } = checkVoltasisHeader(csv);
  const read = columns.filter((column) => (IMPORTED_COLUMNS as readonly string[]).includes(column));
  const idAt = columns.indexOf("id");
  const fingerprint = fingerprinter("voltasis");
  const rows: VoltasisReadRow[] = [];
  for (const [i, record] of readRecords(csv, delimiter, maxRows).entries()) {
    const row = i + 2;
    if (record.every((cell) => cell.trim() === "")) continue;
    if (record.length !== columns.length) {
      const message = `The row has ${record.length} cells; the header has ${columns.length}`;
      rows.push({ ok: false, error: { row, field: "row", reason: "column_count", message } });
      continue;
    }
    const cells = new Map(read.map((column) => [column, record[columns.indexOf(column)] ?? ""]));
    const id = idAt >= 0 ? record[idAt]?.trim() : undefined;
    const body = toBody(cells);
    const email = cells.get("user_email")?.trim();
    rows.push({
      ok: true,
      entry: {
        row,
        fingerprint: fingerprint(id ? ["id", id] : read.map((column) => cells.get(column) ?? "")),
        body,
        ...(body.user_id === undefined && email ? { email } : {}),
      },
    });
  }
  return rows;
}
